"""Demo data for trying RiskDesk: a year of an agency's work written through the real services
(`riskdesk demo`, the first-run dialog's 示例数据). Not part of the application's services."""
