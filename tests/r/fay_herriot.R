# Reference values from R `metafor` for the Fay-Herriot tests (tests/test_small_area.py).
#
# Usage: Rscript tests/r/fay_herriot.R [output.csv]   (default: tests/r/fay_herriot_reference.csv)
#
# The Fay-Herriot model y_i = x_i'beta + u_i + e_i, u_i ~ N(0, A), e_i ~ N(0, D_i) with D_i
# known is metafor's mixed-effects meta-regression: rma(yi = y, vi = d, mods = ~ x1 [+ x2]),
# tau2 = A. For each dataset of fay_herriot_data.csv (m = 8, 12, 20 areas) and method REML
# and ML this writes tau2, the coefficients (intercept first), the EBLUPs (blup()$pred) and
# their g1 + g2 standard errors (blup()$se), one row per (case, quantity), 17 significant
# digits. Fisher scoring runs to a change in tau2 below 1e-14, so the values are exact to
# about machine precision.
#
# fay_herriot_data.csv was generated once with numpy (seed 20261202):
#   rng = np.random.default_rng(20261202); per dataset (m8: x1; m12, m20: x1, x2):
#   x1 ~ U(0, 1), x2 ~ N(0, 1), d = U(0.03, 0.08)^2,
#   theta = 0.08 + 0.12 x1 [+ 0.02 x2] + N(0, 0.05^2), y = theta + N(0, d).
suppressPackageStartupMessages(library(metafor))
args <- commandArgs(trailingOnly = TRUE)
here <- local({
  file_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(file_arg)) dirname(normalizePath(sub("^--file=", "", file_arg[1]))) else "tests/r"
})
output <- if (length(args)) args[1] else file.path(here, "fay_herriot_reference.csv")
data <- read.csv(file.path(here, "fay_herriot_data.csv"), stringsAsFactors = FALSE,
                 na.strings = "")
results <- list()
put <- function(case, quantity, value) {
  results[[length(results) + 1]] <<- data.frame(
    case = case, quantity = quantity, value = sprintf("%.17g", as.numeric(value))
  )
}
for (name in unique(data$dataset)) {
  frame <- data[data$dataset == name, ]
  mods <- if (all(is.na(frame$x2))) ~ x1 else ~ x1 + x2
  for (method in c("REML", "ML")) {
    fit <- rma(yi = y, vi = d, mods = mods, data = frame, method = method,
               control = list(threshold = 1e-14, maxiter = 10000, stepadj = 0.5))
    case <- paste(name, tolower(method), sep = "_")
    put(case, "tau2", fit$tau2)
    for (j in seq_along(fit$beta)) put(case, paste0("beta_", j - 1), fit$beta[j])
    pred <- blup(fit)
    for (i in seq_len(nrow(frame))) {
      put(case, paste0("blup_", frame$area[i]), pred$pred[i])
      put(case, paste0("blup_se_", frame$area[i]), pred$se[i])
    }
  }
}
write.csv(do.call(rbind, results), output, row.names = FALSE, quote = FALSE)
