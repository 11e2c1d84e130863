"""The national framework (Agera för säker vård: foundations and focus areas) and the measure catalogue."""
