"""RiskDesk: the desktop system for 安责险 accident-prevention (风控) agencies."""

APP_NAME = "riskdesk"
APP_TITLE = "安责险风控服务管理系统"
ORG_NAME = "RiskDesk"
__version__ = "0.1.0"
