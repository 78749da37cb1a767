"""The thin command layer. The library never imports from here."""
