# Install the office printer's driver from the driver store (needs an administrator).
$ErrorActionPreference = 'Stop'
Add-PrinterDriver -Name 'Example Office Printer'
Write-Output 'Installed the office printer driver.'
exit 0
