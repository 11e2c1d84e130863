"""Report writers for survey results: charts (SVG/PNG), Excel workbooks and PowerPoint decks."""
