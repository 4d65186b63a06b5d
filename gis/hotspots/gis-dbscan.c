/* gis-dbscan.c: DBSCAN and ST-DBSCAN on a grid
 *
 * DBSCAN never lists neighbourhoods.  Points go to square cells of side
 * h = eps / √2 (a hair less), so any two points of a cell are within eps
 * of each other: a cell with min_pts points has only core points, and
 * the core points of a cell are all in one cluster.  The cells a point's
 * neighbours can be in are the 5 × 5 around its own.  Then:
 *   1. core points: counted within eps, stopping at min_pts (threads);
 *   2. for each pair of neighbouring cells with core points, is some pair
 *      of their core points within eps? (threads; stops at the first pair,
 *      and skips points further than eps from the other cell's box);
 *   3. union-find of the cells on those links: the clusters;
 *   4. clusters numbered by their lowest-index core point, and each border
 *      point given the lowest number among the core points within eps
 *      (threads): what R's sequential expansion gives (see the header).
 * Work is O(N · points in the 5 × 5 cells) at worst, usually far less,
 * and memory O(N).
 *
 * ST-DBSCAN cannot merge a cell at once (a cell's points may be far apart
 * in time), so it works point by point: cells of side eps, each cell's
 * points sorted by time, so a neighbourhood is nine binary searches and
 * the runs within the time window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-dbscan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gis-dbscan.h"
#include "gis-error.h"
#include "gis-hotspots-private.h"

#define CHUNK 1024
#define REACH 2     /* cells of eps / √2 within eps: ±2 */

void
gis_dbscan_result_clear (GisDbscanResult *result)
{
  g_clear_pointer (&result->cluster, g_free);
  g_clear_pointer (&result->core, g_free);
  memset (result, 0, sizeof *result);
}

static guint
uf_find (guint *parent,
         guint  a)
{
  while (parent[a] != a)
    {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
  return a;
}

static void
uf_union (guint *parent,
          guint  a,
          guint  b)
{
  a = uf_find (parent, a);
  b = uf_find (parent, b);
  if (a != b)
    parent[MAX (a, b)] = MIN (a, b);
}

static gboolean
check_input (const double           *x,
             const double           *y,
             const double           *t,
             gsize                   n,
             const GisDbscanParams  *params,
             GError                **error)
{
  if (!(params->eps_m > 0) || !isfinite (params->eps_m))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The distance eps must be a positive distance"));
      return FALSE;
    }
  if (params->min_pts == 0)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The minimum number of points must be at least 1"));
      return FALSE;
    }
  if (t != NULL && (!(params->eps_days >= 0) || !isfinite (params->eps_days)))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("The time window must not be negative"));
      return FALSE;
    }
  if (n > G_MAXINT / 4)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT, _("Too many points: %zu"), n);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    if (!isfinite (x[i]) || !isfinite (y[i]) || (t != NULL && !isfinite (t[i])))
      {
        g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                     _("Point %zu has no valid coordinates or time"), i + 1);
        return FALSE;
      }
  return TRUE;
}

/* Numbers the clusters: @root_of gives each core point's (grid order)
 * union-find root, in [0, n_roots); the cluster of a root is ranked by its
 * lowest original index among core points.  Fills @root_cluster. */
static guint
number_clusters (const GisPointGrid *grid,
                 const guint8       *core,
                 const guint        *root_of_point,
                 guint               n_roots,
                 gint32             *root_cluster)
{
  g_autofree guint64 *keys = g_new (guint64, MAX (n_roots, 1));
  g_autofree guint *roots = g_new (guint, MAX (n_roots, 1));
  guint n_clusters = 0;

  for (guint r = 0; r < n_roots; r++)
    {
      keys[r] = G_MAXUINT64;
      roots[r] = r;
    }
  for (guint s = 0; s < grid->n; s++)
    if (core[s])
      keys[root_of_point[s]] = MIN (keys[root_of_point[s]], grid->order[s]);
  gis_hotspots_sort_keys (keys, roots, n_roots);
  for (guint i = 0; i < n_roots; i++)
    root_cluster[roots[i]] = keys[i] == G_MAXUINT64 ? 0 : (gint32) ++n_clusters;
  return n_clusters;
}

/* ---- DBSCAN ------------------------------------------------------------------- */

typedef struct
{
  const GisPointGrid *grid;
  double              eps2;
  guint               min_pts;
  guint8             *core;           /* grid order */
  guint8             *cell_core;      /* per cell: has a core point */
  guint32            *links;          /* per cell: bit (dr + 2) * 5 + (dc + 2) to a later cell */
  guint              *cell_root;      /* per cell, after the union */
  gint32             *cell_cluster;   /* per cell */
  gint32             *cluster;        /* grid order */
} Dbscan;

static inline void
cell_rc (const GisPointGrid *grid,
         guint               c,
         gint64             *row,
         gint64             *col)
{
  *row = (gint64) (grid->keys[c] / (guint64) grid->ncols);
  *col = (gint64) (grid->keys[c] % (guint64) grid->ncols);
}

static void
core_chunk (guint    worker,
            guint    begin,
            guint    end,
            gpointer data)
{
  Dbscan *d = data;
  const GisPointGrid *g = d->grid;

  for (guint c = begin; c < end; c++)
    {
      guint size = g->start[c + 1] - g->start[c];
      gint64 row, col;

      if (size >= d->min_pts)
        {
          memset (d->core + g->start[c], 1, size);
          d->cell_core[c] = 1;
          continue;
        }
      cell_rc (g, c, &row, &col);
      for (guint s = g->start[c]; s < g->start[c + 1]; s++)
        {
          guint count = size;     /* the cell's own points are all within eps */

          for (gint64 r = row - REACH; r <= row + REACH && count < d->min_pts; r++)
            for (gint64 cc = col - REACH; cc <= col + REACH && count < d->min_pts; cc++)
              {
                gint64 other = (r == row && cc == col) ? -1 : gis_point_grid_find (g, r, cc);

                if (other < 0)
                  continue;
                for (guint t = g->start[other]; t < g->start[other + 1]; t++)
                  {
                    double dx = g->sx[t] - g->sx[s], dy = g->sy[t] - g->sy[s];

                    if (dx * dx + dy * dy <= d->eps2 && ++count >= d->min_pts)
                      break;
                  }
              }
          if (count >= d->min_pts)
            {
              d->core[s] = 1;
              d->cell_core[c] = 1;
            }
        }
    }
}

/* is some core point of cell @a within eps of some core point of cell @b? */
static gboolean
cells_linked (const Dbscan *d,
              guint         a,
              guint         b,
              gint64        brow,
              gint64        bcol)
{
  const GisPointGrid *g = d->grid;
  double slack = g->cell * 1e-6;
  double bx0 = g->x0 + bcol * g->cell - slack, bx1 = g->x0 + (bcol + 1) * g->cell + slack;
  double by0 = g->y0 + brow * g->cell - slack, by1 = g->y0 + (brow + 1) * g->cell + slack;

  for (guint s = g->start[a]; s < g->start[a + 1]; s++)
    {
      double px = g->sx[s], py = g->sy[s];
      double ex = px < bx0 ? bx0 - px : px > bx1 ? px - bx1 : 0;
      double ey = py < by0 ? by0 - py : py > by1 ? py - by1 : 0;

      if (!d->core[s] || ex * ex + ey * ey > d->eps2)
        continue;
      for (guint t = g->start[b]; t < g->start[b + 1]; t++)
        {
          double dx = g->sx[t] - px, dy = g->sy[t] - py;

          if (d->core[t] && dx * dx + dy * dy <= d->eps2)
            return TRUE;
        }
    }
  return FALSE;
}

static void
link_chunk (guint    worker,
            guint    begin,
            guint    end,
            gpointer data)
{
  Dbscan *d = data;
  const GisPointGrid *g = d->grid;

  for (guint c = begin; c < end; c++)
    {
      gint64 row, col;
      guint32 bits = 0;

      if (!d->cell_core[c])
        continue;
      cell_rc (g, c, &row, &col);
      for (gint64 dr = -REACH; dr <= REACH; dr++)
        for (gint64 dc = -REACH; dc <= REACH; dc++)
          {
            gint64 other = gis_point_grid_find (g, row + dr, col + dc);

            if (other <= (gint64) c || !d->cell_core[other])
              continue;
            if (cells_linked (d, c, (guint) other, row + dr, col + dc))
              bits |= 1u << ((dr + REACH) * 5 + (dc + REACH));
          }
      d->links[c] = bits;
    }
}

static void
border_chunk (guint    worker,
              guint    begin,
              guint    end,
              gpointer data)
{
  Dbscan *d = data;
  const GisPointGrid *g = d->grid;

  for (guint c = begin; c < end; c++)
    {
      gint64 row, col;

      cell_rc (g, c, &row, &col);
      for (guint s = g->start[c]; s < g->start[c + 1]; s++)
        {
          gint32 best = 0;

          if (d->core[s])
            {
              d->cluster[s] = d->cell_cluster[c];
              continue;
            }
          for (gint64 r = row - REACH; r <= row + REACH; r++)
            for (gint64 cc = col - REACH; cc <= col + REACH; cc++)
              {
                gint64 other = gis_point_grid_find (g, r, cc);

                if (other < 0 || !d->cell_core[other])
                  continue;
                if (best != 0 && d->cell_cluster[other] >= best)
                  continue;
                for (guint t = g->start[other]; t < g->start[other + 1]; t++)
                  {
                    double dx = g->sx[t] - g->sx[s], dy = g->sy[t] - g->sy[s];

                    if (d->core[t] && dx * dx + dy * dy <= d->eps2)
                      {
                        best = d->cell_cluster[other];
                        break;
                      }
                  }
              }
          d->cluster[s] = best;
        }
    }
}

static void
fill_result (const GisPointGrid *grid,
             const guint8       *core,
             const gint32       *cluster,
             guint               n_clusters,
             GisDbscanResult    *out)
{
  out->n = grid->n;
  out->n_clusters = n_clusters;
  out->cluster = g_new (gint32, MAX (grid->n, 1));
  out->core = g_new (guint8, MAX (grid->n, 1));
  for (guint s = 0; s < grid->n; s++)
    {
      out->cluster[grid->order[s]] = cluster[s];
      out->core[grid->order[s]] = core[s];
      if (cluster[s] == 0)
        out->n_noise++;
    }
}

/**
 * gis_dbscan_run:
 * @x: (array length=n): eastings, metres
 * @y: (array length=n): northings, metres
 * @n: the number of points
 * @params: eps_m, min_pts, no_borders (eps_days is not read)
 * @out: (out caller-allocates): each point's cluster
 * @cancellable: (nullable): stops the work
 * @progress: (nullable) (scope call): told how far it is
 * @progress_data: closure
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
gis_dbscan_run (const double           *x,
                const double           *y,
                gsize                   n,
                const GisDbscanParams  *params,
                GisDbscanResult        *out,
                GCancellable           *cancellable,
                GisProgressFunc         progress,
                gpointer                progress_data,
                GError                **error)
{
  GisPointGrid grid = { 0 };
  Dbscan d = { 0 };
  g_autofree guint *root_of_point = NULL;
  guint workers, n_clusters;
  gboolean ok;

  g_return_val_if_fail (n == 0 || (x != NULL && y != NULL), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);
  if (!check_input (x, y, NULL, n, params, error))
    return FALSE;

  gis_point_grid_init (&grid, x, y, (guint) n, params->eps_m / G_SQRT2 * (1 - 1e-7));
  if (grid.cell * G_SQRT2 > params->eps_m)
    {
      /* the extent was too wide for cells this small */
      gis_point_grid_clear (&grid);
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The distance eps is too small for the extent of the points"));
      return FALSE;
    }
  d.grid = &grid;
  d.eps2 = params->eps_m * params->eps_m;
  d.min_pts = params->min_pts;
  d.core = g_new0 (guint8, MAX (n, 1));
  d.cell_core = g_new0 (guint8, MAX (grid.n_cells, 1));
  d.links = g_new0 (guint32, MAX (grid.n_cells, 1));
  d.cell_root = g_new (guint, MAX (grid.n_cells, 1));
  d.cell_cluster = g_new0 (gint32, MAX (grid.n_cells, 1));
  d.cluster = g_new0 (gint32, MAX (n, 1));
  workers = gis_hotspots_n_workers (params->n_threads, grid.n_cells, CHUNK);

  ok = gis_hotspots_parallel (grid.n_cells, CHUNK, workers, core_chunk, &d, cancellable,
                              progress, progress_data, _("Finding core points"), error) &&
       gis_hotspots_parallel (grid.n_cells, CHUNK, workers, link_chunk, &d, cancellable,
                              progress, progress_data, _("Linking core points"), error);
  if (ok)
    {
      for (guint c = 0; c < grid.n_cells; c++)
        d.cell_root[c] = c;
      for (guint c = 0; c < grid.n_cells; c++)
        if (d.links[c] != 0)
          {
            gint64 row, col;

            cell_rc (&grid, c, &row, &col);
            for (guint bit = 0; bit < 25; bit++)
              if (d.links[c] & (1u << bit))
                uf_union (d.cell_root, c, (guint) gis_point_grid_find (&grid, row + (gint64) (bit / 5) - REACH,
                                                                      col + (gint64) (bit % 5) - REACH));
          }
      root_of_point = g_new (guint, MAX (n, 1));
      for (guint c = 0; c < grid.n_cells; c++)
        {
          guint root = uf_find (d.cell_root, c);

          for (guint s = grid.start[c]; s < grid.start[c + 1]; s++)
            root_of_point[s] = root;
        }
      {
        g_autofree gint32 *root_cluster = g_new0 (gint32, MAX (grid.n_cells, 1));

        n_clusters = number_clusters (&grid, d.core, root_of_point, grid.n_cells, root_cluster);
        for (guint c = 0; c < grid.n_cells; c++)
          d.cell_cluster[c] = d.cell_core[c] ? root_cluster[uf_find (d.cell_root, c)] : 0;
      }

      if (params->no_borders)
        for (guint c = 0; c < grid.n_cells; c++)
          for (guint s = grid.start[c]; s < grid.start[c + 1]; s++)
            d.cluster[s] = d.core[s] ? d.cell_cluster[c] : 0;
      else
        ok = gis_hotspots_parallel (grid.n_cells, CHUNK, workers, border_chunk, &d, cancellable,
                                    progress, progress_data, _("Assigning border points"), error);
      if (ok)
        fill_result (&grid, d.core, d.cluster, n_clusters, out);
    }

  g_free (d.core);
  g_free (d.cell_core);
  g_free (d.links);
  g_free (d.cell_root);
  g_free (d.cell_cluster);
  g_free (d.cluster);
  gis_point_grid_clear (&grid);
  return ok;
}

/* ---- ST-DBSCAN ---------------------------------------------------------------- */

typedef struct
{
  const GisPointGrid *grid;
  const double       *st;            /* grid order, sorted by time within each cell */
  double              eps2, eps_t;
  guint               min_pts;
  guint8             *core;
  guint              *parent;        /* union-find over grid positions */
  const gint32       *root_cluster;
  gint32             *cluster;
} StDbscan;

/* the first position in cell @c with time >= @t */
static guint
lower_bound (const StDbscan *d,
             guint           c,
             double          t)
{
  guint lo = d->grid->start[c], hi = d->grid->start[c + 1];

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (d->st[mid] < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Runs BODY for each neighbour position t of @s (itself included), in
 * space and time, until BODY sets stop_. */
#define ST_NEIGHBOURS(d, s, BODY)                                                       \
  G_STMT_START {                                                                        \
    const GisPointGrid *g_ = (d)->grid;                                                 \
    gint64 row_, col_;                                                                  \
    gboolean stop_ = FALSE;                                                             \
    gis_point_grid_locate (g_, g_->sx[s], g_->sy[s], &row_, &col_);                     \
    for (gint64 r_ = row_ - 1; r_ <= row_ + 1 && !stop_; r_++)                          \
      for (gint64 c_ = col_ - 1; c_ <= col_ + 1 && !stop_; c_++)                        \
        {                                                                               \
          gint64 cell_ = gis_point_grid_find (g_, r_, c_);                              \
          if (cell_ < 0)                                                                \
            continue;                                                                   \
          for (guint t = lower_bound ((d), (guint) cell_, (d)->st[s] - (d)->eps_t);     \
               t < g_->start[cell_ + 1] && (d)->st[t] <= (d)->st[s] + (d)->eps_t && !stop_; \
               t++)                                                                     \
            {                                                                           \
              double dx_ = g_->sx[t] - g_->sx[s], dy_ = g_->sy[t] - g_->sy[s];          \
              if (dx_ * dx_ + dy_ * dy_ <= (d)->eps2)                                   \
                {                                                                       \
                  BODY;                                                                 \
                }                                                                       \
            }                                                                           \
        }                                                                               \
  } G_STMT_END

static void
st_core_chunk (guint    worker,
               guint    begin,
               guint    end,
               gpointer data)
{
  StDbscan *d = data;

  for (guint s = begin; s < end; s++)
    {
      guint count = 0;

      ST_NEIGHBOURS (d, s, if (++count >= d->min_pts) stop_ = TRUE);
      d->core[s] = count >= d->min_pts;
    }
}

static void
st_border_chunk (guint    worker,
                 guint    begin,
                 guint    end,
                 gpointer data)
{
  StDbscan *d = data;

  for (guint s = begin; s < end; s++)
    {
      gint32 best = 0;

      if (d->core[s])
        {
          d->cluster[s] = d->root_cluster[d->parent[s]];
          continue;
        }
      ST_NEIGHBOURS (d, s,
                     if (d->core[t])
                       {
                         gint32 cl = d->root_cluster[d->parent[t]];
                         if (best == 0 || cl < best)
                           best = cl;
                       });
      d->cluster[s] = best;
    }
}

typedef struct
{
  double t, x, y;
  guint  idx;
} Stp;

static int
compare_stp (const void *a,
             const void *b)
{
  const Stp *p = a, *q = b;

  if (p->t != q->t)
    return p->t < q->t ? -1 : 1;
  return p->idx < q->idx ? -1 : p->idx > q->idx;
}

/**
 * gis_st_dbscan_run:
 * @x: (array length=n): eastings, metres
 * @y: (array length=n): northings, metres
 * @t_days: (array length=n): times, in days (any origin)
 * @n: the number of points
 * @params: eps_m, eps_days, min_pts, no_borders
 * @out: (out caller-allocates): each point's cluster
 * @cancellable: (nullable): stops the work
 * @progress: (nullable) (scope call): told how far it is
 * @progress_data: closure
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
gis_st_dbscan_run (const double           *x,
                   const double           *y,
                   const double           *t_days,
                   gsize                   n,
                   const GisDbscanParams  *params,
                   GisDbscanResult        *out,
                   GCancellable           *cancellable,
                   GisProgressFunc         progress,
                   gpointer                progress_data,
                   GError                **error)
{
  GisPointGrid grid = { 0 };
  StDbscan d = { 0 };
  g_autofree double *st = NULL;
  g_autofree gint32 *root_cluster = NULL;
  guint workers, n_clusters = 0;
  gboolean ok;

  g_return_val_if_fail (n == 0 || (x != NULL && y != NULL && t_days != NULL), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);
  if (!check_input (x, y, t_days, n, params, error))
    return FALSE;

  gis_point_grid_init (&grid, x, y, (guint) n, params->eps_m);
  if (grid.cell > params->eps_m)
    {
      gis_point_grid_clear (&grid);
      g_set_error (error, GIS_ERROR, GIS_ERROR_INVALID_INPUT,
                   _("The distance eps is too small for the extent of the points"));
      return FALSE;
    }
  /* each cell's points by time */
  st = g_new (double, MAX (n, 1));
  for (guint c = 0; c < grid.n_cells; c++)
    {
      guint a = grid.start[c], len = grid.start[c + 1] - a;
      g_autofree Stp *tmp = g_new (Stp, len);

      for (guint i = 0; i < len; i++)
        tmp[i] = (Stp) { t_days[grid.order[a + i]], grid.sx[a + i], grid.sy[a + i], grid.order[a + i] };
      qsort (tmp, len, sizeof (Stp), compare_stp);
      for (guint i = 0; i < len; i++)
        {
          st[a + i] = tmp[i].t;
          grid.sx[a + i] = tmp[i].x;
          grid.sy[a + i] = tmp[i].y;
          grid.order[a + i] = tmp[i].idx;
        }
    }

  d.grid = &grid;
  d.st = st;
  d.eps2 = params->eps_m * params->eps_m;
  d.eps_t = params->eps_days;
  d.min_pts = params->min_pts;
  d.core = g_new0 (guint8, MAX (n, 1));
  d.parent = g_new (guint, MAX (n, 1));
  d.cluster = g_new0 (gint32, MAX (n, 1));
  workers = gis_hotspots_n_workers (params->n_threads, (guint) n, CHUNK);

  ok = gis_hotspots_parallel ((guint) n, CHUNK, workers, st_core_chunk, &d, cancellable,
                              progress, progress_data, _("Finding core points"), error);
  if (ok)
    {
      for (guint s = 0; s < n; s++)
        d.parent[s] = s;
      for (guint s = 0; s < n; s++)
        {
          if (!d.core[s])
            continue;
          if (s % 4096 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
            {
              ok = FALSE;
              break;
            }
          ST_NEIGHBOURS (&d, s, if (t > s && d.core[t]) uf_union (d.parent, s, t));
        }
    }
  if (ok)
    {
      for (guint s = 0; s < n; s++)
        d.parent[s] = uf_find (d.parent, s);
      root_cluster = g_new0 (gint32, MAX (n, 1));
      n_clusters = number_clusters (&grid, d.core, d.parent, (guint) n, root_cluster);
      d.root_cluster = root_cluster;
      if (params->no_borders)
        for (guint s = 0; s < n; s++)
          d.cluster[s] = d.core[s] ? root_cluster[d.parent[s]] : 0;
      else
        ok = gis_hotspots_parallel ((guint) n, CHUNK, workers, st_border_chunk, &d, cancellable,
                                    progress, progress_data, _("Assigning border points"), error);
    }
  if (ok)
    fill_result (&grid, d.core, d.cluster, n_clusters, out);

  g_free (d.core);
  g_free (d.parent);
  g_free (d.cluster);
  gis_point_grid_clear (&grid);
  return ok;
}
