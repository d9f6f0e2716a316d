"""Language and number formats: the interface strings in Vietnamese and English, Vietnamese and
English number and date formats, the one number parser per language, and text escaping for display."""
