# Reference values from R `survey` for tests/test_design_r.py.
#
# Usage: Rscript tests/r/reference.R [output.csv]   (default: tests/r/reference.csv)
# Reads the committed datasets two_stage.csv, pps.csv and lonely.csv next to this script
# and writes one row per (case, quantity) with 17 significant digits.
#
# Where survey has no function for an auditlib interval (Wilson; Korn-Graubard with the
# NCHS cap at n; Clopper-Pearson on the effective n) the interval is computed here by its
# formula from svymean's estimate and variance, and labelled "formula_*".
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
here <- local({
  file_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(file_arg)) dirname(normalizePath(sub("^--file=", "", file_arg[1]))) else "tests/r"
})
output <- if (length(args)) args[1] else file.path(here, "reference.csv")
read <- function(name) {
  frame <- read.csv(file.path(here, name), stringsAsFactors = FALSE, na.strings = "")
  frame
}
results <- list()
put <- function(case, quantity, value) {
  results[[length(results) + 1]] <<- data.frame(
    case = case, quantity = quantity, value = sprintf("%.17g", as.numeric(value))
  )
}

kg <- function(p, v, n, df, level) {        # NCHS Korn-Graubard (capped effective n)
  alpha <- 1 - level
  ne <- if (p <= 0 || p >= 1 || v <= 0) n else min(n, p * (1 - p) / v)
  ne <- ne * (qt(alpha / 2, n - 1) / qt(alpha / 2, df))^2
  x <- ne * p
  c(if (x > 0) qbeta(alpha / 2, x, ne - x + 1) else 0,
    if (x < ne) qbeta(1 - alpha / 2, x + 1, ne - x) else 1)
}
cp <- function(p, v, n, level) {            # Clopper-Pearson on the effective n
  alpha <- 1 - level
  ne <- if (p <= 0 || p >= 1 || v <= 0) n else p * (1 - p) / v
  x <- ne * p
  c(if (x > 0) qbeta(alpha / 2, x, ne - x + 1) else 0,
    if (x < ne) qbeta(1 - alpha / 2, x + 1, ne - x) else 1)
}
wilson <- function(p, v, n, df, level) {    # Wilson on the df-adjusted effective n
  alpha <- 1 - level
  ne <- if (p <= 0 || p >= 1 || v <= 0) n else min(n, p * (1 - p) / v)
  ne <- ne * (qt(alpha / 2, n - 1) / qt(alpha / 2, df))^2
  z <- qnorm(1 - alpha / 2)
  d <- 1 + z^2 / ne
  centre <- (p + z^2 / (2 * ne)) / d
  half <- z / d * sqrt(p * (1 - p) / ne + z^2 / (4 * ne^2))
  c(max(0, centre - half) * (p > 0), if (p >= 1) 1 else centre + half)
}

proportion_block <- function(design, case, prefix = "y") {
  m <- svymean(~y, design, deff = TRUE)
  p <- coef(m)[[1]]; v <- vcov(m)[1, 1]
  n <- nrow(design); df <- degf(design)
  put(case, paste0(prefix, "_mean"), p)
  put(case, paste0(prefix, "_se"), sqrt(v))
  put(case, paste0(prefix, "_deff"), deff(m))
  put(case, paste0(prefix, "_n"), n)
  put(case, paste0(prefix, "_df"), df)
  for (level in c(0.95, 0.90)) {
    tag <- paste0(prefix, "_", level * 100)
    for (method in c("beta", "logit", "mean", "xlogit")) {
      ci <- as.numeric(attr(svyciprop(~y, design, method = method, level = level), "ci"))
      put(case, paste0(tag, "_svyciprop_", method, "_lower"), ci[1])
      put(case, paste0(tag, "_svyciprop_", method, "_upper"), ci[2])
    }
    bounds <- list(kg = kg(p, v, n, df, level), cp = cp(p, v, n, level),
                   wilson = wilson(p, v, n, df, level))
    for (name in names(bounds)) {
      put(case, paste0(tag, "_formula_", name, "_lower"), bounds[[name]][1])
      put(case, paste0(tag, "_formula_", name, "_upper"), bounds[[name]][2])
    }
    put(case, paste0(tag, "_neff_uncapped"), p * (1 - p) / v)
  }
}

design_block <- function(design, case) {
  proportion_block(design, case)
  t <- svytotal(~y, design, deff = TRUE)
  put(case, "total_y", coef(t)); put(case, "total_y_se", SE(t)); put(case, "total_y_deff", deff(t))
  ci <- confint(t, df = degf(design)); put(case, "total_y_lower", ci[1]); put(case, "total_y_upper", ci[2])
  a <- svytotal(~amount_paid, design)
  put(case, "total_amount", coef(a)); put(case, "total_amount_se", SE(a))
  a <- svymean(~amount_paid, design, deff = TRUE)
  put(case, "mean_amount", coef(a)); put(case, "mean_amount_se", SE(a)); put(case, "mean_amount_deff", deff(a))
  r <- svyratio(~improper_amount, ~amount_paid, design)
  put(case, "ratio_improper", coef(r)); put(case, "ratio_improper_se", SE(r))
  ci <- confint(r, df = degf(design)); put(case, "ratio_improper_lower", ci[1]); put(case, "ratio_improper_upper", ci[2])
  joint <- vcov(svytotal(~y + amount_paid, design))
  put(case, "cov_total_y_amount", joint[1, 2])
  # A domain that cuts across PSUs.
  female <- subset(design, female == 1)
  proportion_block(female, case, "female_y")
  ft <- svytotal(~amount_paid, female); put(case, "female_total_amount", coef(ft)); put(case, "female_total_amount_se", SE(ft))
  fr <- svyratio(~improper_amount, ~amount_paid, female)
  put(case, "female_ratio_improper", coef(fr)); put(case, "female_ratio_improper_se", SE(fr))
  # svyby with domain degrees of freedom.
  by_mean <- svyby(~y, ~group, design, svymean)
  by_beta <- svyby(~y, ~group, design, svyciprop, method = "beta", vartype = "ci")
  by_logit <- svyby(~y, ~group, design, svyciprop, method = "logit", vartype = "ci")
  by_ratio <- svyby(~improper_amount, ~group, design, svyratio, denominator = ~amount_paid)
  for (i in seq_len(nrow(by_mean))) {
    g <- as.character(by_mean$group[i])
    put(case, paste0("by_", g, "_mean"), by_mean$y[i])
    put(case, paste0("by_", g, "_se"), by_mean$se[i])
    put(case, paste0("by_", g, "_df"), degf(subset(design, group == g)))
    put(case, paste0("by_", g, "_beta_lower"), by_beta$ci_l[i])
    put(case, paste0("by_", g, "_beta_upper"), by_beta$ci_u[i])
    put(case, paste0("by_", g, "_logit_lower"), by_logit$ci_l[i])
    put(case, paste0("by_", g, "_logit_upper"), by_logit$ci_u[i])
    put(case, paste0("by_", g, "_ratio"), by_ratio[i, 2])
    put(case, paste0("by_", g, "_ratio_se"), by_ratio[i, 3])
    proportion_block(subset(design, group == g), case, paste0("by_", g, "_y"))
  }
}

options(survey.lonely.psu = "fail")
two <- read("two_stage.csv")
two$eligible_nonrecipient <- two$eligible_yes * (1 - two$recipient)
full <- svydesign(ids = ~psu + household_id, strata = ~stratum + ssu_stratum,
                  fpc = ~psu_population + ssu_population, data = two)
design_block(full, "two_stage")
# Audit estimands on the same design: recipients' domain and the omission ratio.
recipients <- subset(full, recipient == 1)
proportion_block(recipients, "two_stage", "recipient_y")
it <- svytotal(~improper_amount, recipients)
put("two_stage", "recipient_improper_total", coef(it)); put("two_stage", "recipient_improper_total_se", SE(it))
ir <- svyratio(~improper_amount, ~amount_paid, recipients)
put("two_stage", "recipient_improper_rate", coef(ir)); put("two_stage", "recipient_improper_rate_se", SE(ir))
om <- svyratio(~eligible_nonrecipient, ~eligible_yes, full)
put("two_stage", "omission_rate", coef(om)); put("two_stage", "omission_rate_se", SE(om))
er <- vcov(svytotal(~eligible_nonrecipient + I(eligible_yes * recipient), full))
put("two_stage", "omission_cov_E_R", er[1, 2])
put("two_stage", "omission_var_E", er[1, 1]); put("two_stage", "omission_var_R", er[2, 2])

# The same sample with the given weights (equal to those derived from the counts).
with_weights <- svydesign(ids = ~psu + household_id, strata = ~stratum + ssu_stratum,
                          fpc = ~psu_population + ssu_population, weights = ~weight, data = two)
proportion_block(with_weights, "two_stage_weights")

# Ultimate cluster (with replacement); strata with every weight 1 are certainty (fpc = n).
certain <- ave(two$weight == 1, two$stratum, FUN = all)
two$uc_fpc <- ifelse(certain, ave(as.numeric(factor(two$psu)), two$stratum,
                                  FUN = function(x) length(unique(x))), Inf)
uc <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, fpc = ~uc_fpc, data = two)
design_block(uc, "ultimate_cluster")

pps <- read("pps.csv")
pps_design <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = pps)
design_block(pps_design, "pps")

lonely <- read("lonely.csv")
for (option in c("adjust", "certainty")) {
  options(survey.lonely.psu = option)
  d <- svydesign(ids = ~psu + household_id, strata = ~stratum + ssu_stratum,
                 fpc = ~psu_population + ssu_population, data = lonely)
  design_block(d, paste0("lonely_", option))
  d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = lonely)
  design_block(d, paste0("lonely_uc_", option))
}
options(survey.lonely.psu = "fail")

table <- do.call(rbind, results)
write.csv(table, output, row.names = FALSE, quote = TRUE)
