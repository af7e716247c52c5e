"""P114 settlement flat files: S0142 (SAA-I014 sub-flow 2) and C0421 (CDCA-I042).

One module per idea: `framing` (AAA…ZZZ records, record count and checksum), `idd_types`
(IDD data types: reading a column, writing a value), `layout` (the S0142 record tree and
fields as data, flow versions 013 and 014), `s0142_reader` and `c0421_reader` (streaming
readers into per-record-type column arrays), `writer` (records back to a framed file),
`from_settlement` (an engine settlement as S0142 records) and `synthetic` (a full-size
synthetic S0142 for the benchmark). The layout reference is `../shared/domain/S0142_LAYOUT.md`.
"""
