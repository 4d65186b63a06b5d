/* gis-feature-model-private.h: what a GisFeatureModel shares with its rows
 *
 * A snapshot is one loaded list of feature ids (one sort and filter) with
 * the pages of values read for it.  Rows keep their snapshot and page
 * alive, so a row handed out before a reload still shows its values.
 * Snapshots and pages belong to the model's thread (the main thread).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gis-feature-model.h"
#include "gis-feature-row.h"

G_BEGIN_DECLS

/* Rows read at once, and pages kept besides those rows hold. */
#define GIS_FEATURE_PAGE_SIZE   200
#define GIS_FEATURE_PAGE_CACHE  32

typedef struct _GisFeatureSnapshot GisFeatureSnapshot;

typedef struct
{
  grefcount     ref_count;
  guint         n_rows;
  guint         n_columns;
  GStringChunk *chunk;
  const char  **values;    /* n_rows × n_columns, NULL for SQL NULL */
} GisFeaturePage;

GisFeaturePage     *gis_feature_page_ref            (GisFeaturePage     *page);
void                gis_feature_page_unref          (GisFeaturePage     *page);

GisFeatureSnapshot *gis_feature_snapshot_ref        (GisFeatureSnapshot *snapshot);
void                gis_feature_snapshot_unref      (GisFeatureSnapshot *snapshot);
guint               gis_feature_snapshot_get_n_rows (GisFeatureSnapshot *snapshot);
guint               gis_feature_snapshot_get_n_columns (GisFeatureSnapshot *snapshot);
gint64              gis_feature_snapshot_get_fid    (GisFeatureSnapshot *snapshot,
                                                     guint               position);
GisFeaturePage     *gis_feature_snapshot_get_page   (GisFeatureSnapshot *snapshot,
                                                     guint               position);

GisFeatureRow      *gis_feature_row_new             (GisFeatureSnapshot *snapshot,
                                                     guint               position);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisFeaturePage, gis_feature_page_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisFeatureSnapshot, gis_feature_snapshot_unref)

G_END_DECLS
