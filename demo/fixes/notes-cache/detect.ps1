# Exit 1 when the Notes cache holds more than 10 MB (the problem), 0 when it does not.
$cache = Join-Path $env:LOCALAPPDATA 'Example\Notes\Cache'
if (-not (Test-Path -LiteralPath $cache)) {
    Write-Output "No Notes cache at $cache."
    exit 0
}
$bytes = (Get-ChildItem -LiteralPath $cache -Recurse -File -Force |
    Measure-Object -Property Length -Sum).Sum
if ($null -eq $bytes) { $bytes = 0 }
Write-Output ("The Notes cache holds {0} KB." -f [math]::Round($bytes / 1024))
if ($bytes -gt 10485760) { exit 1 }  # 10 MB
exit 0
