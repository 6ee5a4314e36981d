# Exit 1 when the office printer's driver is not installed (the problem); 0 when it is.
if (Get-PrinterDriver -Name 'Example Office Printer' -ErrorAction SilentlyContinue) {
    Write-Output 'The office printer driver is installed.'
    exit 0
}
Write-Output 'The office printer driver is missing.'
exit 1
