/* gis-emerging.h: the Mann-Kendall trend test and the emerging hot spot
 * categories of a location's series of time steps (DESIGN §6)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint  n;          /* values used (NaN left out) */
  double s;          /* Σ_{i<j} sign(x_j − x_i) */
  double var_s;      /* (n(n−1)(2n+5) − Σ_ties t(t−1)(2t+5)) / 18 */
  double z;          /* (S − 1)/√Var if S > 0, (S + 1)/√Var if S < 0, else 0 */
  double p;          /* two-sided, from the normal */
} GisMannKendall;

void  gis_mann_kendall (const double   *values,
                        guint           n,
                        GisMannKendall *out);

/**
 * GisEmergingCategory:
 *
 * The 17 categories of a location (as ArcGIS's Emerging Hot Spot
 * Analysis).  Hot means an FDR bin > 0 (90 % or more), cold < 0; "90 %"
 * means 10 · hot steps >= 9 · steps; the trend is significant when the
 * Mann-Kendall p of the z series is at most alpha.  The rules, first
 * match wins:
 *   1. last step not hot and >= 90 % hot: historical hot (not cold and
 *      >= 90 % cold: historical cold);
 *   2. last step hot (cold: the same rules mirrored, "up" meaning z
 *      falling):
 *      a. hot at no other step: new;
 *      b. >= 90 % hot: intensifying if the trend is significantly up,
 *         diminishing if significantly down, else persistent;
 *      c. the hot steps are one run ending at the last step: consecutive
 *         (at least two steps, as a lone one is new);
 *      d. cold at some step: oscillating;
 *      e. else sporadic;
 *   3. else no pattern.
 */
typedef enum
{
  GIS_EMERGING_NO_PATTERN = 0,
  GIS_EMERGING_NEW_HOT,
  GIS_EMERGING_CONSECUTIVE_HOT,
  GIS_EMERGING_INTENSIFYING_HOT,
  GIS_EMERGING_PERSISTENT_HOT,
  GIS_EMERGING_DIMINISHING_HOT,
  GIS_EMERGING_SPORADIC_HOT,
  GIS_EMERGING_OSCILLATING_HOT,
  GIS_EMERGING_HISTORICAL_HOT,
  GIS_EMERGING_NEW_COLD,
  GIS_EMERGING_CONSECUTIVE_COLD,
  GIS_EMERGING_INTENSIFYING_COLD,
  GIS_EMERGING_PERSISTENT_COLD,
  GIS_EMERGING_DIMINISHING_COLD,
  GIS_EMERGING_SPORADIC_COLD,
  GIS_EMERGING_OSCILLATING_COLD,
  GIS_EMERGING_HISTORICAL_COLD,
} GisEmergingCategory;

#define GIS_EMERGING_N_CATEGORIES 17

GisEmergingCategory  gis_emerging_classify          (const gint8          *bins,
                                                     guint                 n_steps,
                                                     const GisMannKendall *trend,
                                                     double                alpha);
const char          *gis_emerging_category_to_string (GisEmergingCategory  category);
const char          *gis_emerging_category_to_label  (GisEmergingCategory  category);

G_END_DECLS
