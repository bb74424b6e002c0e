"""The output contract: the record schema, building a record from a Doc, reading record files."""
