# Reference numbers of tests/test_jeffreys.py: the Jeffreys interval with the
# Brown-Cai-DasGupta modification (lower 0 for x <= 1, upper 1 for x >= n - 1).
# Run: Rscript tests/r/jeffreys.R   (base R only)
jeffreys <- function(x, n, level = 0.95) {
  a <- (1 - level) / 2
  lower <- if (x <= 1) 0 else qbeta(a, x + 0.5, n - x + 0.5)
  upper <- if (x >= n - 1) 1 else qbeta(1 - a, x + 0.5, n - x + 0.5)
  c(lower, upper)
}
show <- function(label, v) cat(sprintf("%s: %.15g %.15g\n", label, v[1], v[2]))
show("srs x=6 n=40", jeffreys(6, 40))
show("srs x=0 n=30", jeffreys(0, 30))
show("srs x=1 n=30", jeffreys(1, 30))
show("srs x=29.5 n=30", jeffreys(29.5, 30))
show("srs x=6 n=40 90%", jeffreys(6, 40, 0.90))
# Korn-Graubard-adjusted size: x = 2.4 of n* = 60 * (t_59 / t_12)^2
nstar <- 60 * (qt(0.025, 59) / qt(0.025, 12))^2
show("kg-size p=0.04 n=60 df=12", jeffreys(0.04 * nstar, nstar))
