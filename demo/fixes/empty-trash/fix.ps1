# Delete for good what has been in the Recycle Bin for more than $Days days.
param([int]$Days = 30)
$ErrorActionPreference = 'Stop'
$shell = New-Object -ComObject Shell.Application
$bin = $shell.Namespace(0xA)
$limit = (Get-Date).AddDays(-$Days)
$count = 0
foreach ($item in @($bin.Items())) {
    if ($item.ModifyDate -lt $limit) {
        Remove-Item -LiteralPath $item.Path -Recurse -Force
        $count++
    }
}
Write-Output "Deleted $count item(s) from the Recycle Bin."
exit 0
