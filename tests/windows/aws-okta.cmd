@rem aws-okta from the sources for Windows (what `make install`'s launcher is elsewhere): the pinned Deno
@rem of `make test-windows`, the aws-okta permission set. Used to run tests/release/smoke.ts under Wine.
@"%~dp0..\..\..\deno-2.9.6\deno.exe" run -q -P=aws-okta --config "%~dp0..\..\deno.json" "%~dp0..\..\src\main.ts" %*
