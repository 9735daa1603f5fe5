"""The data contract as code and everything that reads a county folder.

Owns the tables and columns of the contract (``schema``, ``codes``, the table definitions),
reading CSV, xlsx and parquet with their encodings (``io``) and writing files atomically
(``atomic``), ID numbers (``idcard``), personal names compared after normalisation
(``names``), validation against the contract (``validation``,
``policy``), loading a county folder (``loading``) into the county bundle (``bundle``), and
the Arrow keys the risk stage joins on (``table_keys``, ``arrow``). Imports only
:mod:`auditlib.errors`.
"""
