"""Tỉnh Số: the digital province platform."""
