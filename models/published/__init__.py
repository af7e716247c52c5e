"""What Elexon published, stored beside our runs: system prices and NIV per period (`prices`)
and the SAA's own figures from S0142 settlement reports (`saa_store`)."""
