"""Cash-application commands: statement, import statement/einvoice, matches, sepa."""
