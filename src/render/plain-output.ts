/**
 * PowerShell 7.2+ renders error records and tables with ANSI codes from $PSStyle, whatever the
 * environment says; 5.1 has no $PSStyle (and strict mode forbids naming an unset variable).
 * Every script and session rdsplan starts runs this first.
 */
export const PLAIN_OUTPUT_STATEMENT =
  "$RdsPSStyle = $ExecutionContext.SessionState.PSVariable.GetValue('PSStyle'); if ($null -ne $RdsPSStyle) { $RdsPSStyle.OutputRendering = 'PlainText' }";
