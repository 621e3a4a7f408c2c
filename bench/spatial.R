# R half of bench/spatial.mjs: SAR by maximum likelihood with impacts on the CSV written
# by the Node script (columns id, cx, cy, x1, x2, y), k-nearest-neighbour weights.
#
#   Rscript bench/spatial.R <csv> [runs] [k] [eigen]
#
# Timed (best of `runs`, the CSV read excluded), exactly these calls:
#   W:       nb <- knn2nb(knearneigh(cbind(cx, cy), k)); lw <- nb2listw(nb, style = "W")
#   fit:     lagsarlm(y ~ x1 + x2, data, lw, method = "LU")
#   impacts: trMC <- trW(as(lw, "CsparseMatrix"), type = "MC");
#            impacts(fit, tr = trMC, R = 1000)            (spatialreg's large-n route)
# set.seed(1) before each run (trW's probes and the impact draws are random).
# and, when the 4th argument is "eigen", the same with method = "eigen" (dense
# eigenvalues of W) for reference. One line of JSON per method on stdout.
suppressPackageStartupMessages({
  library(spdep)
  library(spatialreg)
})
args <- commandArgs(trailingOnly = TRUE)
file <- args[1]
runs <- if (length(args) >= 2) as.integer(args[2]) else 3L
k <- if (length(args) >= 3) as.integer(args[3]) else 6L
methods <- if (length(args) >= 4 && args[4] == "eigen") c("LU", "eigen") else "LU"
d <- read.csv(file)

run <- function(method) {
  set.seed(1) # trW(type = "MC") and the impact draws are random: same stream every run
  t0 <- proc.time()[["elapsed"]]
  nb <- knn2nb(knearneigh(cbind(d$cx, d$cy), k = k))
  lw <- nb2listw(nb, style = "W")
  t1 <- proc.time()[["elapsed"]]
  fit <- lagsarlm(y ~ x1 + x2, data = d, listw = lw, method = method, quiet = TRUE)
  t2 <- proc.time()[["elapsed"]]
  trMC <- trW(as(lw, "CsparseMatrix"), type = "MC")
  imp <- impacts(fit, tr = trMC, R = 1000)
  t3 <- proc.time()[["elapsed"]]
  s <- summary(imp, zstats = TRUE, short = TRUE)
  list(
    total = t3 - t0, weights = t1 - t0, fit = t2 - t1, impacts = t3 - t2,
    rho = unname(fit$rho), rho_se = unname(fit$rho.se), beta = unname(coef(fit)[-1]),
    direct = unname(imp$res$direct), indirect = unname(imp$res$indirect), total_imp = unname(imp$res$total),
    direct_se = unname(apply(s$sres$direct, 2, sd))
  )
}

num <- function(x) paste0("[", paste(sprintf("%.10g", x), collapse = ","), "]")
for (m in methods) {
  best <- NULL
  for (r in seq_len(runs)) {
    o <- run(m)
    if (is.null(best) || o$total < best$total) best <- o
  }
  cat(sprintf(
    '{"method":"%s","spatialreg":"%s","spdep":"%s","total":%.4f,"weights":%.4f,"fit":%.4f,"impacts":%.4f,"rho":%.10g,"rho_se":%.10g,"beta":%s,"direct":%s,"indirect":%s,"total_impact":%s,"direct_se":%s}\n',
    m, as.character(packageVersion("spatialreg")), as.character(packageVersion("spdep")),
    best$total, best$weights, best$fit, best$impacts, best$rho, best$rho_se, num(best$beta),
    num(best$direct), num(best$indirect), num(best$total_imp), num(best$direct_se)
  ))
}
