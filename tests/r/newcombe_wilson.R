# Reference limits for tests/test_round_change.py: Wilson score intervals (no continuity
# correction) of Newcombe (1998, Stat. Med. 17:873) Table II example (a), 56/70 and 48/80.
# Run: Rscript tests/r/newcombe_wilson.R
# Wilson limits for Newcombe (1998) example (a): 56/70 vs 48/80
w <- function(x, n) { z <- qnorm(0.975); p <- x/n
  c((2*x + z^2 - z*sqrt(z^2 + 4*x*(1-p)))/(2*(n+z^2)), (2*x + z^2 + z*sqrt(z^2 + 4*x*(1-p)))/(2*(n+z^2))) }
print(sprintf("%.12f", c(w(56,70), w(48,80))))
