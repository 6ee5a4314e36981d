# Exit 1 when the Recycle Bin holds files deleted more than $Days days ago; 0 when not.
param([int]$Days = 30)
$shell = New-Object -ComObject Shell.Application
$bin = $shell.Namespace(0xA)
$limit = (Get-Date).AddDays(-$Days)
$old = @($bin.Items() | Where-Object { $_.ModifyDate -lt $limit }).Count
Write-Output "$old item(s) in the Recycle Bin for more than $Days days."
if ($old -gt 0) { exit 1 }
exit 0
