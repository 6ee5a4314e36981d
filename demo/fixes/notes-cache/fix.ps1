# Delete what is inside the Notes cache; the folder itself stays.
$ErrorActionPreference = 'Stop'
$cache = Join-Path $env:LOCALAPPDATA 'Example\Notes\Cache'
Get-ChildItem -LiteralPath $cache -Force | Remove-Item -Recurse -Force
Write-Output "Emptied $cache."
exit 0
