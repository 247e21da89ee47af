"""Workbook I/O: openpyxl headless, xlwings live, snapshots, LibreOffice."""
