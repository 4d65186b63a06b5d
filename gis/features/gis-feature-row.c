/* gis-feature-row.c: one row of a GisFeatureModel
 *
 * A row is made for each g_list_model_get_item() and costs a few words:
 * its snapshot, its position and its feature id.  Values are read on the
 * first gis_feature_row_get_text(), a page of rows at a time, and the row
 * then keeps its page: binding a cell is a lookup in an array.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-feature-row"

#include "config.h"

#include "gis-feature-model-private.h"

struct _GisFeatureRow
{
  GObject             parent_instance;

  GisFeatureSnapshot *snapshot;
  GisFeaturePage     *page;       /* NULL until a value is asked for */
  guint               position;
  gint64              fid;
};

G_DEFINE_FINAL_TYPE (GisFeatureRow, gis_feature_row, G_TYPE_OBJECT)

static void
gis_feature_row_finalize (GObject *object)
{
  GisFeatureRow *self = (GisFeatureRow *) object;

  g_clear_pointer (&self->page, gis_feature_page_unref);
  g_clear_pointer (&self->snapshot, gis_feature_snapshot_unref);

  G_OBJECT_CLASS (gis_feature_row_parent_class)->finalize (object);
}

static void
gis_feature_row_class_init (GisFeatureRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gis_feature_row_finalize;
}

static void
gis_feature_row_init (GisFeatureRow *self)
{
}

GisFeatureRow *
gis_feature_row_new (GisFeatureSnapshot *snapshot,
                     guint               position)
{
  GisFeatureRow *self;

  g_assert (snapshot != NULL);
  g_assert (position < gis_feature_snapshot_get_n_rows (snapshot));

  self = g_object_new (GIS_TYPE_FEATURE_ROW, NULL);
  self->snapshot = gis_feature_snapshot_ref (snapshot);
  self->position = position;
  self->fid = gis_feature_snapshot_get_fid (snapshot, position);

  return self;
}

/**
 * gis_feature_row_get_fid:
 * @self: a row
 *
 * Returns: the id of the row's feature
 */
gint64
gis_feature_row_get_fid (GisFeatureRow *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE_ROW (self), 0);

  return self->fid;
}

/**
 * gis_feature_row_get_position:
 * @self: a row
 *
 * Returns: the row's position in the model when it was made (a reload
 *   may have moved the feature since)
 */
guint
gis_feature_row_get_position (GisFeatureRow *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE_ROW (self), 0);

  return self->position;
}

/**
 * gis_feature_row_get_n_columns:
 * @self: a row
 *
 * Returns: the number of columns, as gis_feature_model_get_columns()
 */
guint
gis_feature_row_get_n_columns (GisFeatureRow *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE_ROW (self), 0);

  return gis_feature_snapshot_get_n_columns (self->snapshot);
}

/**
 * gis_feature_row_get_text:
 * @self: a row
 * @column: a column index, in the order of gis_feature_model_get_columns()
 *   (0 is the feature id)
 *
 * The value as text: numbers in the C locale, BLOBs as their size.  The
 * first call reads the values of the rows around this one.
 *
 * Returns: (transfer none) (nullable): the value, %NULL for SQL NULL (or
 *   when the feature was deleted since the model was loaded)
 */
const char *
gis_feature_row_get_text (GisFeatureRow *self,
                          guint          column)
{
  g_return_val_if_fail (GIS_IS_FEATURE_ROW (self), NULL);
  g_return_val_if_fail (column < gis_feature_snapshot_get_n_columns (self->snapshot), NULL);

  if (self->page == NULL)
    self->page = gis_feature_snapshot_get_page (self->snapshot, self->position);

  return self->page->values[(self->position % GIS_FEATURE_PAGE_SIZE) * self->page->n_columns + column];
}
