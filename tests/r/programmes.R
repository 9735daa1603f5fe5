# Reference values from R `survey` for tests/test_programmes.py (Dibao, 特困, omission and
# yuan estimands of one county, R-compatible methods).
#
# Usage: Rscript tests/r/programmes.R [output.csv]   (default: tests/r/programmes_reference.csv)
# Reads programmes_data.csv next to this script (written by make_programmes.py) and writes one
# row per quantity with 17 significant digits.
#
# The derived variables are computed here from the raw columns, independently of auditlib:
#   ineligible   = recipient and eligible == "no"
#   dibao, tekun = recipients of each programme
#   entitlement  = 0 if ineligible; the yuan paid if correct_benefit or entitled_months is
#                  missing; correct_benefit * entitled_months otherwise (recipients only)
#   overpayment  = max(paid - entitlement, 0), underpayment = max(entitlement - paid, 0)
# The design is auditlib's estimands.audit_design: svydesign(ids = ~psu + household_id,
# strata = ~stratum + ssu_stratum, fpc = ~psu_population + ssu_population, weights = ~weight).
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "fail")
args <- commandArgs(trailingOnly = TRUE)
here <- local({
  file_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(file_arg)) dirname(normalizePath(sub("^--file=", "", file_arg[1]))) else "tests/r"
})
output <- if (length(args)) args[1] else file.path(here, "programmes_reference.csv")

# Yuan paid to Dibao recipients in the audit period by township (register): the known total X.
KNOWN_PAID <- c(tw1 = 301234.5, tw2 = 287650.25, tw3 = 402118.0, tw4 = 251997.75)
X <- sum(KNOWN_PAID)

data <- read.csv(file.path(here, "programmes_data.csv"), stringsAsFactors = FALSE,
                 na.strings = "", colClasses = c(household_id = "character"))
recipient <- data$recipient == 1
bad <- recipient & data$eligible == "no"
yes <- data$eligible == "yes"
data$ineligible <- as.numeric(bad)
data$dibao <- as.numeric(recipient & data$programme != "tekun")
data$tekun <- as.numeric(recipient & data$programme == "tekun")
data$improper_amount <- data$amount_paid * data$ineligible
data$eligible_non_recipient <- as.numeric(yes & !recipient)
data$eligible_recipient <- as.numeric(yes & data$dibao == 1)
unknown <- recipient & !bad & (is.na(data$correct_benefit) | is.na(data$entitled_months))
due <- ifelse(bad, 0, ifelse(unknown, data$amount_paid,
                             ifelse(is.na(data$correct_benefit), 0, data$correct_benefit) *
                               ifelse(is.na(data$entitled_months), 0, data$entitled_months)))
entitlement <- ifelse(recipient, due, 0)
data$overpayment <- ifelse(recipient, pmax(data$amount_paid - entitlement, 0), 0)
data$underpayment <- ifelse(recipient, pmax(entitlement - data$amount_paid, 0), 0)

full <- svydesign(ids = ~psu + household_id, strata = ~stratum + ssu_stratum,
                  fpc = ~psu_population + ssu_population, weights = ~weight, data = data)
dibao <- subset(full, dibao == 1)
tekun <- subset(full, tekun == 1)

results <- list()
put <- function(quantity, value) {
  results[[length(results) + 1]] <<- data.frame(
    quantity = quantity, value = sprintf("%.17g", as.numeric(value))
  )
}
put("known_total_paid", X)

m <- svymean(~ineligible, dibao)
put("dibao_error_rate", coef(m)); put("dibao_error_rate_se", SE(m))
put("dibao_df", degf(dibao)); put("design_df", degf(full))
m <- svymean(~ineligible, tekun)
put("tekun_error_rate", coef(m)); put("tekun_error_rate_se", SE(m))

om <- svyratio(~eligible_non_recipient, ~I(eligible_non_recipient + eligible_recipient), full)
put("omission_rate", coef(om)); put("omission_rate_se", SE(om))
er <- svytotal(~eligible_non_recipient + eligible_recipient, full)
put("eligible_non_recipients", coef(er)[1]); put("eligible_non_recipients_se", SE(er)[1])
put("eligible_recipients", coef(er)[2]); put("eligible_recipients_se", SE(er)[2])
put("omission_cov_E_R", vcov(er)[1, 2])

for (name in c("improper_amount", "overpayment", "underpayment")) {
  r <- svyratio(as.formula(paste0("~", name)), ~amount_paid, dibao)
  put(paste0(name, "_rate"), coef(r)); put(paste0(name, "_rate_se"), SE(r))
  p <- predict(r, total = X)
  put(paste0(name, "_total"), p$total); put(paste0(name, "_total_se"), p$se)
  ht <- svytotal(as.formula(paste0("~", name)), dibao)
  put(paste0(name, "_ht_total"), coef(ht)); put(paste0(name, "_ht_total_se"), SE(ht))
}

write.csv(do.call(rbind, results), output, row.names = FALSE, quote = FALSE)
