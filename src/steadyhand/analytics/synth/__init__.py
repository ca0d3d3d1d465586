"""Synthetic control (Abadie, Diamond & Hainmueller 2010; Abadie 2021)."""
