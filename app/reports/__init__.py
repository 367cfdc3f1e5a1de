"""The quarterly system-health report (系统健康度报告): page, print, workbook, commentary, publishing."""
