"""SPC charts for any monthly series: reading a series file for `lagesbild spc compute`."""
