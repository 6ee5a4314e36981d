# Keep the damaged Notes settings as settings.json.damaged, and write the standard ones.
$ErrorActionPreference = 'Stop'
$path = Join-Path $env:APPDATA 'Example\Notes\settings.json'
New-Item -ItemType Directory -Force -Path (Split-Path -Parent $path) | Out-Null
if (Test-Path -LiteralPath $path) {
    Move-Item -LiteralPath $path -Destination "$path.damaged" -Force
    Write-Output "Kept the damaged file as $path.damaged"
}
$standard = [ordered]@{ theme = 'system'; sync = $true; language = 'system' }
$standard | ConvertTo-Json | Set-Content -LiteralPath $path -Encoding UTF8
Write-Output "Wrote the standard settings to $path"
exit 0
