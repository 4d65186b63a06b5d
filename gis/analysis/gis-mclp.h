/* gis-mclp.h: the maximal covering location problem (Church and ReVelle 1974)
 *
 * Choose K candidate sites so that the demand they cover, together, is as
 * large as possible.  Demand covered by existing sites is left out by the
 * caller, so existing sites stay fixed.  The covering sets come as
 * compressed rows: candidate c covers the demand points
 * items[start[c]] … items[start[c + 1] - 1].
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  guint          n_demand;
  const double  *weights;        /* n_demand, each >= 0 */
  guint          n_candidates;
  const guint   *start;          /* n_candidates + 1 */
  const guint   *items;          /* demand indices */
  guint          k;
} GisMclpProblem;

typedef struct
{
  guint    n_chosen;
  guint   *chosen;               /* candidate indices, in the order picked */
  double  *added;                /* the demand each adds to those before it */
  double   value;                /* the demand covered */
  double   upper_bound;          /* no K sites cover more than this */
  gboolean optimal;              /* value is proven optimal */
  guint64  nodes;                /* branch-and-bound nodes visited (exact) */
} GisMclpSolution;

void      gis_mclp_solution_clear (GisMclpSolution       *solution);

gboolean  gis_mclp_greedy         (const GisMclpProblem  *problem,
                                   GisMclpSolution       *out,
                                   GCancellable          *cancellable,
                                   GError               **error);
gboolean  gis_mclp_exact          (const GisMclpProblem  *problem,
                                   guint64                max_nodes,
                                   GisMclpSolution       *out,
                                   GCancellable          *cancellable,
                                   GError               **error);
double    gis_mclp_value          (const GisMclpProblem  *problem,
                                   const guint           *sites,
                                   guint                  n_sites);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GisMclpSolution, gis_mclp_solution_clear)

G_END_DECLS
