"""The Windows script of a Run Command probe (RunPowerShellScript): Windows PowerShell 5.1 or later.

The same functions, arguments and output lines as the Linux script (provisioner.verify.runcommand_linux):
tokens from IMDS with Invoke-RestMethod, every access with Invoke-WebRequest (its status code, and a
blob's body as text or into a temporary file), Azure's error code from the error body or the
`x-ms-error-code` header. Arguments are single-quoted; runcommand_calls makes them printable ASCII,
so the only quote PowerShell would read in them is `'`, which is doubled.
"""

from __future__ import annotations

from provisioner.verify.runcommand_calls import BLOB_API_VERSION, MARKER_TEXT, SQL_PORT, SQL_QUERY, Script

FUNCTIONS = r"""
$ProgressPreference = 'SilentlyContinue'
$protocols = [Net.ServicePointManager]::SecurityProtocol
[Net.ServicePointManager]::SecurityProtocol = $protocols -bor [Net.SecurityProtocolType]::Tls12
$Tokens = @{}
$Status = 0; $Code = '-'; $Reply = ''; $Size = 0; $ServiceSas = ''
function Get-Token([string]$Audience, [string]$Uri) {
  try {
    $Tokens[$Audience] = (Invoke-RestMethod -Headers @{Metadata = 'true'} -Uri $Uri).access_token
  } catch {
    $why = "$($_.Exception.Message)" -replace '[\r\n]+', ' '
    Write-Output ("provision-verify token:$Audience " + $why.Substring(0, [Math]::Min(300, $why.Length)))
  }
}
function Get-ErrorCode($Failure) {
  $text = "$($Failure.ErrorDetails.Message)"
  if ($text -match '"code"\s*:\s*"([^"]+)"') { return $Matches[1] }
  if ($text -match '<Code>([^<]+)</Code>') { return $Matches[1] }
  try { $value = @($Failure.Exception.Response.Headers.GetValues('x-ms-error-code'))[0] } catch { $value = $null }
  if ($value) { return "$value" }
  return '-'
}
# One request: sets $Status, $Code, $Reply (the body as text; -Discard: into a temporary file) and $Size.
function Invoke-Access([string]$Token, [string]$Method, [string]$Uri, [hashtable]$Headers = @{},
                       [string]$Body = '', [string]$ContentType = '', [switch]$Discard) {
  $request = @{Method = $Method; Uri = $Uri; Headers = (@{} + $Headers); UseBasicParsing = $true}
  if ($Token) { $request.Headers['Authorization'] = "Bearer $Token" }
  if ($Body) { $request.Body = [Text.Encoding]::UTF8.GetBytes($Body); $request.ContentType = $ContentType }
  $file = $null
  if ($Discard) { $file = [IO.Path]::GetTempFileName(); $request.OutFile = $file }
  $script:Code = '-'; $script:Reply = ''; $script:Size = 0
  try {
    $response = Invoke-WebRequest @request
    if ($Discard) {
      $script:Status = 200
      $script:Size = (Get-Item -LiteralPath $file).Length
    } else {
      $script:Status = [int]$response.StatusCode
      $content = $response.Content
      if ($content -is [byte[]]) { $content = [Text.Encoding]::UTF8.GetString($content) }
      $script:Reply = "$content"
    }
  } catch {
    $script:Status = 0
    if ($_.Exception.Response) { $script:Status = [int]$_.Exception.Response.StatusCode }
    $script:Code = Get-ErrorCode $_
  } finally {
    if ($file) { Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue }
  }
  return ($script:Status -ge 200 -and $script:Status -lt 300)
}
function Write-Result([string]$Id, [string]$Step, [string]$Note = '') {
  $line = "provision-verify $Id $($script:Status) $($script:Code) $Step"
  if ($Note) { $line = "$line $Note" }
  Write-Output $line
}
function Read-FirstBlob([string]$Id, [string]$Token, [string]$Container, [string]$Sas) {
  $headers = @{'x-ms-version' = $BlobVersion}
  $list = $Container + '?restype=container&comp=list&maxresults=1'
  if ($Sas) { $list = $list + '&' + $Sas }
  if (-not (Invoke-Access $Token 'GET' $list $headers)) { Write-Result $Id 'list'; return }
  if (-not ($script:Reply -match '<Name>([^<]*)</Name>')) { Write-Result $Id 'empty'; return }
  $name = [Net.WebUtility]::HtmlDecode($Matches[1])
  $blob = $Container + '/' + ([Uri]::EscapeDataString($name) -replace '%2F', '/')
  if ($Sas) { $blob = $blob + '?' + $Sas }
  $null = Invoke-Access $Token 'GET' $blob $headers -Discard
  $shown = $name -replace '[\r\n]', ' '
  if ($shown.Length -gt 100) { $shown = $shown.Substring(0, 100) }
  Write-Result $Id 'download' "$($script:Size) $shown"
}
function Send-Marker([string]$Token, [string]$Uri) {
  $headers = @{'x-ms-version' = $BlobVersion; 'x-ms-blob-type' = 'BlockBlob'}
  return (Invoke-Access $Token 'PUT' $Uri $headers $Marker 'text/plain')
}
function Get-ServiceSas([string]$Id, [string]$Token, [string]$Uri, [string]$Request) {
  $script:ServiceSas = ''
  if (-not (Invoke-Access $Token 'POST' $Uri @{} $Request 'application/json')) { Write-Result $Id 'sas'; return }
  try { $script:ServiceSas = "$(($script:Reply | ConvertFrom-Json).serviceSasToken)" } catch { $script:ServiceSas = '' }
  if (-not $script:ServiceSas) { Write-Result $Id 'no-sas' }
}
function arm_read([string]$Id, [string]$Token, [string]$Uri) {
  if (-not $Token) { return }
  $null = Invoke-Access $Token 'GET' $Uri
  Write-Result $Id 'read'
}
function group_write([string]$Id, [string]$Token, [string]$Uri, [string]$Tags) {
  if (-not $Token) { return }
  $null = Invoke-Access $Token 'PATCH' $Uri @{} $Tags 'application/json'
  Write-Result $Id 'tags'
}
function blob_read([string]$Id, [string]$Token, [string]$Container) {
  if (-not $Token) { return }
  Read-FirstBlob $Id $Token $Container ''
}
function blob_write([string]$Id, [string]$Token, [string]$Blob) {
  if (-not $Token) { return }
  $null = Send-Marker $Token $Blob
  Write-Result $Id 'write'
}
function sas_read([string]$Id, [string]$Token, [string]$Uri, [string]$Request, [string]$Container) {
  if (-not $Token) { return }
  Get-ServiceSas $Id $Token $Uri $Request
  if ($script:ServiceSas) { Read-FirstBlob $Id '' $Container $script:ServiceSas }
}
function sas_write([string]$Id, [string]$Token, [string]$Uri, [string]$Request, [string]$Blob) {
  if (-not $Token) { return }
  Get-ServiceSas $Id $Token $Uri $Request
  if (-not $script:ServiceSas) { return }
  $target = $Blob + '?' + $script:ServiceSas
  if (-not (Send-Marker '' $target)) { Write-Result $Id 'write'; return }
  if (-not (Invoke-Access '' 'GET' $target @{'x-ms-version' = $BlobVersion})) { Write-Result $Id 'readback'; return }
  if ($script:Reply -ceq $Marker) { Write-Result $Id 'readback' } else { Write-Result $Id 'differs' }
}
# The tutorial's way in: the IMDS token as SqlConnection.AccessToken, then a SELECT. SQL's login and
# permission refusals (18456, 229, 916) count as 403; any other SqlException number is an error.
function sql_read([string]$Id, [string]$Token, [string]$Server, [string]$Database) {
  if (-not $Token) { return }
  $script:Status = 0; $script:Code = '-'
  $connection = New-Object System.Data.SqlClient.SqlConnection
  $connection.ConnectionString = "Data Source=tcp:$Server,$SqlPort;Initial Catalog=$Database;" +
    'Encrypt=True;TrustServerCertificate=False;Connect Timeout=30'
  $connection.AccessToken = $Token
  try {
    $connection.Open()
    $command = $connection.CreateCommand()
    $command.CommandText = $SqlQuery
    $script:Status = 403; $script:Code = '229'
    if ("$($command.ExecuteScalar())" -eq '1') { $script:Status = 200; $script:Code = '-' }
  } catch [System.Data.SqlClient.SqlException] {
    $number = $_.Exception.Number
    $script:Code = "$number"
    if (@(18456, 229, 916) -contains $number) { $script:Status = 403 }
  } catch {
    $script:Code = '-'
  } finally {
    $connection.Dispose()
  }
  Write-Result $Id 'sql'
}
function secret_read([string]$Id, [string]$Token, [string]$Uri) {
  if (-not $Token) { return }
  $null = Invoke-Access $Token 'GET' $Uri
  $script:Reply = ''
  Write-Result $Id 'secret'
}
"""


def windows_script(script: Script) -> str:
    """The PowerShell script (run with RunPowerShellScript)."""
    lines = [f"$BlobVersion = {ps_quote(BLOB_API_VERSION)}", f'$Marker = {ps_quote(MARKER_TEXT)} + "`n"']
    lines += [f"$SqlPort = {SQL_PORT}", f"$SqlQuery = {ps_quote(SQL_QUERY)}"]
    lines += [FUNCTIONS.strip()]
    lines += [f"Get-Token {ps_quote(name)} {ps_quote(url)}" for name, url in script.token_urls.items()]
    for call in script.calls:
        args = " ".join(ps_quote(arg) for arg in call.args)
        lines.append(f"{call.function} {ps_quote(call.probe_id)} $Tokens[{ps_quote(call.audience)}] {args}")
    return "\n".join(lines) + "\n"


def ps_quote(text: str) -> str:
    """A PowerShell single-quoted string of printable ASCII text."""
    return "'" + text.replace("'", "''") + "'"
