# Exit 1 when the Notes settings file is missing keys or is not valid JSON; 0 when it is sound.
$path = Join-Path $env:APPDATA 'Example\Notes\settings.json'
if (-not (Test-Path -LiteralPath $path)) {
    Write-Output "No settings file at ${path}: Notes starts with its standard settings."
    exit 0
}
try {
    $settings = Get-Content -LiteralPath $path -Raw -Encoding UTF8 | ConvertFrom-Json
} catch {
    Write-Output "$path cannot be read: $($_.Exception.Message)"
    exit 1
}
$missing = @('theme', 'sync', 'language') | Where-Object { -not ($settings.PSObject.Properties.Name -contains $_) }
if ($missing) {
    Write-Output ("$path lacks: " + ($missing -join ', '))
    exit 1
}
Write-Output "$path is sound."
exit 0
