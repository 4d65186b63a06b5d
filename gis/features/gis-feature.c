/* gis-feature.c: one feature of a layer, with all its attributes
 *
 * A GisFeature is immutable once made and only holds values and
 * refcounted things, so it may be made on a worker thread and handed to
 * the main thread (identify runs on workers; the panel shows the result).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-feature"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "gis-error.h"
#include "gis-features-private.h"
#include "gis-sql-private.h"
#include "gis-store-private.h"

struct _GisFeature
{
  GObject     parent_instance;

  GisLayer   *layer;
  gint64      fid;
  GPtrArray  *fields;     /* GisField, shared between features of one query */
  GPtrArray  *values;     /* GVariant or NULL for SQL NULL, as @fields */
  GBytes     *wkb;        /* nullable */
  GisExtent   extent;
  double      distance_m;
  gboolean    contains_point;
};

G_DEFINE_FINAL_TYPE (GisFeature, gis_feature, G_TYPE_OBJECT)

static void
gis_feature_finalize (GObject *object)
{
  GisFeature *self = (GisFeature *) object;

  g_clear_object (&self->layer);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_pointer (&self->values, g_ptr_array_unref);
  g_clear_pointer (&self->wkb, g_bytes_unref);

  G_OBJECT_CLASS (gis_feature_parent_class)->finalize (object);
}

static void
gis_feature_class_init (GisFeatureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gis_feature_finalize;
}

static void
gis_feature_init (GisFeature *self)
{
  gis_extent_init_empty (&self->extent);
  self->distance_m = -1.0;
}

/* ---- private ----------------------------------------------------------- */

/* @fields and @values are referenced, not copied: the caller must not
 * change them afterwards. */
GisFeature *
gis_feature_new (GisLayer        *layer,
                 gint64           fid,
                 GPtrArray       *fields,
                 GPtrArray       *values,
                 GBytes          *wkb,
                 const GisExtent *extent)
{
  GisFeature *self;

  g_assert (GIS_IS_LAYER (layer));
  g_assert (fields != NULL && values != NULL);
  g_assert (fields->len == values->len);

  self = g_object_new (GIS_TYPE_FEATURE, NULL);
  self->layer = g_object_ref (layer);
  self->fid = fid;
  self->fields = g_ptr_array_ref (fields);
  self->values = g_ptr_array_ref (values);
  self->wkb = wkb != NULL ? g_bytes_ref (wkb) : NULL;
  if (extent != NULL)
    self->extent = *extent;

  return self;
}

void
gis_feature_set_hit (GisFeature *self,
                     double      distance_m,
                     gboolean    contains_point)
{
  g_assert (GIS_IS_FEATURE (self));

  self->distance_m = distance_m;
  self->contains_point = contains_point;
}

/* A column of the current row as a GVariant: int64 "x", double "d",
 * UTF-8 string "s" or bytes "ay"; NULL for SQL NULL. */
GVariant *
gis_features_column_to_variant (sqlite3_stmt *stmt,
                                int           column)
{
  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_INTEGER:
      return g_variant_ref_sink (g_variant_new_int64 (sqlite3_column_int64 (stmt, column)));

    case SQLITE_FLOAT:
      return g_variant_ref_sink (g_variant_new_double (sqlite3_column_double (stmt, column)));

    case SQLITE_TEXT:
      {
        const char *text = (const char *) sqlite3_column_text (stmt, column);
        int len = sqlite3_column_bytes (stmt, column);

        /* A GVariant string must be valid UTF-8 without NUL. */
        if (g_utf8_validate_len (text, len, NULL) && memchr (text, '\0', len) == NULL)
          return g_variant_ref_sink (g_variant_new_take_string (g_strndup (text, len)));
        return g_variant_ref_sink (g_variant_new_take_string (g_utf8_make_valid (text, len)));
      }

    case SQLITE_BLOB:
      {
        const void *data = sqlite3_column_blob (stmt, column);
        int len = sqlite3_column_bytes (stmt, column);

        return g_variant_ref_sink (g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE,
                                                              data, len, 1));
      }

    case SQLITE_NULL:
    default:
      return NULL;
    }
}

static char *
format_double (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* 15 significant digits: what a double holds of a decimal number, so
   * 0.1 shows as 0.1 and not as 0.10000000000000001. */
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.15g", value));
}

static char *
format_blob_size (gsize len)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "(%zu byte)", "(%zu bytes)", len), len);
}

/* Returns: (transfer full) (nullable): @value as text, %NULL for NULL */
char *
gis_features_format_variant (GVariant *value)
{
  if (value == NULL)
    return NULL;

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return g_strdup_printf ("%" PRId64, (int64_t) g_variant_get_int64 (value));
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    return format_double (g_variant_get_double (value));
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (value, NULL);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING))
    return format_blob_size (g_variant_get_size (value));

  return g_variant_print (value, FALSE);
}

/* The same text as gis_features_format_variant(), straight from a row. */
char *
gis_features_format_column (sqlite3_stmt *stmt,
                            int           column)
{
  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_INTEGER:
      return g_strdup_printf ("%" PRId64, (int64_t) sqlite3_column_int64 (stmt, column));

    case SQLITE_FLOAT:
      return format_double (sqlite3_column_double (stmt, column));

    case SQLITE_TEXT:
      {
        const char *text = (const char *) sqlite3_column_text (stmt, column);
        int len = sqlite3_column_bytes (stmt, column);

        if (g_utf8_validate_len (text, len, NULL) && memchr (text, '\0', len) == NULL)
          return g_strndup (text, len);
        return g_utf8_make_valid (text, len);
      }

    case SQLITE_BLOB:
      return format_blob_size (sqlite3_column_bytes (stmt, column));

    case SQLITE_NULL:
    default:
      return NULL;
    }
}

void
gis_features_bind_variant (sqlite3_stmt *stmt,
                           int           index,
                           GVariant     *value)
{
  if (value == NULL)
    sqlite3_bind_null (stmt, index);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    sqlite3_bind_int64 (stmt, index, g_variant_get_int64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    sqlite3_bind_double (stmt, index, g_variant_get_double (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    {
      gsize len;
      const char *str = g_variant_get_string (value, &len);

      sqlite3_bind_text (stmt, index, str, (int) len, SQLITE_TRANSIENT);
    }
  else
    g_assert_not_reached ();
}

/* The OGC name of a WKB geometry's type ("POINT", "MULTIPOLYGON"...). */
const char *
gis_features_wkb_type_name (const guint8 *wkb,
                            gsize         len)
{
  static const char *const names[] = {
    "GEOMETRY", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT",
    "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION",
  };
  guint32 type;

  if (wkb == NULL || len < 5)
    return NULL;

  memcpy (&type, wkb + 1, 4);
  type = wkb[0] == 1 ? GUINT32_FROM_LE (type) : GUINT32_FROM_BE (type);
  type &= 0x0fffffff;   /* EWKB flags */
  type %= 1000;         /* ISO Z, M, ZM */

  return type < G_N_ELEMENTS (names) ? names[type] : "GEOMETRY";
}

/* Returns the layer's columns as GisField: "fid" (integer) first, then the
 * attributes in table order; the geometry column is left out. */
GPtrArray *
gis_features_get_columns (GisStore  *store,
                          GisLayer  *layer,
                          gboolean  *out_has_geometry,
                          GError   **error)
{
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GPtrArray) columns = NULL;
  const char *table = gis_layer_get_table_name (layer);
  GisField *fid;

  if (table == NULL || !gis_sql_table_exists (gis_store_get_db (store), table))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_NOT_FOUND,
                   _("Layer “%s” has no table of features in “%s”"),
                   gis_layer_get_name (layer), gis_store_get_path (store));
      return NULL;
    }

  fields = gis_store_get_fields (store, layer, error);
  if (fields == NULL)
    return NULL;

  columns = g_ptr_array_new_full (fields->len + 1, (GDestroyNotify) gis_field_free);
  fid = g_new0 (GisField, 1);
  fid->name = g_strdup ("fid");
  fid->type = GIS_FIELD_INTEGER;
  g_ptr_array_add (columns, fid);
  while (fields->len > 0)
    g_ptr_array_add (columns, g_ptr_array_steal_index (fields, 0));

  if (out_has_geometry != NULL)
    *out_has_geometry = gis_sql_column_exists (gis_store_get_db (store), table, "geom");

  return g_steal_pointer (&columns);
}

/* The column named @name, compared as SQLite compares identifiers
 * (ASCII case-insensitively), or NULL. */
const GisField *
gis_features_find_column (GPtrArray  *columns,
                          const char *name)
{
  if (name == NULL)
    return NULL;

  for (guint i = 0; i < columns->len; i++)
    {
      const GisField *field = g_ptr_array_index (columns, i);

      if (g_ascii_strcasecmp (field->name, name) == 0)
        return field;
    }
  return NULL;
}

/* ---- public ------------------------------------------------------------ */

/**
 * gis_feature_get_layer:
 * @self: a feature
 *
 * Returns: (transfer none): the layer the feature belongs to
 */
GisLayer *
gis_feature_get_layer (GisFeature *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), NULL);

  return self->layer;
}

/**
 * gis_feature_get_layer_name:
 * @self: a feature
 *
 * Returns: (transfer none): the name of the feature's layer
 */
const char *
gis_feature_get_layer_name (GisFeature *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), NULL);

  return gis_layer_get_name (self->layer);
}

/**
 * gis_feature_get_fid:
 * @self: a feature
 *
 * Returns: the feature id (the `fid` column of the layer's table)
 */
gint64
gis_feature_get_fid (GisFeature *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), 0);

  return self->fid;
}

/**
 * gis_feature_get_n_fields:
 * @self: a feature
 *
 * Returns: the number of attributes, in the order of the layer's columns
 *   (the feature id and the geometry are not attributes)
 */
guint
gis_feature_get_n_fields (GisFeature *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), 0);

  return self->fields->len;
}

/**
 * gis_feature_get_field_name:
 * @self: a feature
 * @index: an attribute index, below gis_feature_get_n_fields()
 *
 * Returns: (transfer none): the attribute's column name
 */
const char *
gis_feature_get_field_name (GisFeature *self,
                            guint       index)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), NULL);
  g_return_val_if_fail (index < self->fields->len, NULL);

  return ((GisField *) g_ptr_array_index (self->fields, index))->name;
}

/**
 * gis_feature_get_field_type:
 * @self: a feature
 * @index: an attribute index
 *
 * Returns: the declared type of the attribute's column
 */
GisFieldType
gis_feature_get_field_type (GisFeature *self,
                            guint       index)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), GIS_FIELD_TEXT);
  g_return_val_if_fail (index < self->fields->len, GIS_FIELD_TEXT);

  return ((GisField *) g_ptr_array_index (self->fields, index))->type;
}

/**
 * gis_feature_find_field:
 * @self: a feature
 * @name: a column name (ASCII case-insensitive, as in SQL)
 *
 * Returns: the index of the attribute named @name, or -1
 */
int
gis_feature_find_field (GisFeature *self,
                        const char *name)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), -1);
  g_return_val_if_fail (name != NULL, -1);

  for (guint i = 0; i < self->fields->len; i++)
    if (g_ascii_strcasecmp (((GisField *) g_ptr_array_index (self->fields, i))->name, name) == 0)
      return (int) i;
  return -1;
}

/**
 * gis_feature_get_value:
 * @self: a feature
 * @index: an attribute index
 *
 * The value as stored, whatever the column's declared type says: an
 * `int64` (x), a `double` (d), a UTF-8 `string` (s) or a `bytestring`
 * (ay) for BLOBs.
 *
 * Returns: (transfer none) (nullable): the value; %NULL for SQL NULL
 */
GVariant *
gis_feature_get_value (GisFeature *self,
                       guint       index)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), NULL);
  g_return_val_if_fail (index < self->values->len, NULL);

  return g_ptr_array_index (self->values, index);
}

/**
 * gis_feature_format_value:
 * @self: a feature
 * @index: an attribute index
 *
 * The value as text to show: numbers in the C locale (as stored, so they
 * can be copied), BLOBs as their size.
 *
 * Returns: (transfer full) (nullable): the text; %NULL for SQL NULL
 */
char *
gis_feature_format_value (GisFeature *self,
                          guint       index)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), NULL);
  g_return_val_if_fail (index < self->values->len, NULL);

  return gis_features_format_variant (g_ptr_array_index (self->values, index));
}

/**
 * gis_feature_get_geometry_type:
 * @self: a feature
 *
 * Returns: (transfer none) (nullable): the OGC type of this feature's
 *   geometry ("POINT", "MULTIPOLYGON"...), %NULL when it has none
 */
const char *
gis_feature_get_geometry_type (GisFeature *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), NULL);

  if (self->wkb == NULL)
    return NULL;

  return gis_features_wkb_type_name (g_bytes_get_data (self->wkb, NULL),
                                     g_bytes_get_size (self->wkb));
}

/**
 * gis_feature_get_wkb:
 * @self: a feature
 *
 * Returns: (transfer none) (nullable): the geometry as little-endian ISO
 *   WKB in EPSG:4326 (lon, lat), %NULL when the feature has none
 */
GBytes *
gis_feature_get_wkb (GisFeature *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), NULL);

  return self->wkb;
}

/**
 * gis_feature_get_extent:
 * @self: a feature
 * @out_extent: (out): the bounding box of the geometry in lon/lat
 *
 * Returns: %FALSE when the feature has no geometry
 */
gboolean
gis_feature_get_extent (GisFeature *self,
                        GisExtent  *out_extent)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), FALSE);
  g_return_val_if_fail (out_extent != NULL, FALSE);

  *out_extent = self->extent;
  return !gis_extent_is_empty (&self->extent);
}

/**
 * gis_feature_get_distance_m:
 * @self: a feature
 *
 * For a feature found by gis_store_identify(): the geodesic distance in
 * metres from the identified point (0 for a polygon that contains it).
 *
 * Returns: the distance, or -1 for a feature not found by identify
 */
double
gis_feature_get_distance_m (GisFeature *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), -1.0);

  return self->distance_m;
}

/**
 * gis_feature_get_contains_point:
 * @self: a feature
 *
 * Returns: whether the feature, found by gis_store_identify(), is a
 *   polygon that contains the identified point (boundary included)
 */
gboolean
gis_feature_get_contains_point (GisFeature *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), FALSE);

  return self->contains_point;
}

/* Column names that name a feature, best first. */
static const char *const name_fields[] = {
  "name", "nombre", "nom", "title", "label", "name_en", "port_name",
  "site_name", "facility_name", "name_long", "case_id", "id_name",
};

static gboolean
is_usable_name (GisFeature *self,
                guint       index)
{
  GVariant *value = g_ptr_array_index (self->values, index);

  return value != NULL &&
         g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) &&
         *g_variant_get_string (value, NULL) != '\0';
}

/**
 * gis_feature_get_name_field:
 * @self: a feature
 *
 * The attribute that names the feature: one called like "name" ("nombre",
 * "nom", "title"...), else the first text column whose name ends in
 * "name", when its value is set.
 *
 * Returns: (transfer none) (nullable): the attribute's name
 */
const char *
gis_feature_get_name_field (GisFeature *self)
{
  g_return_val_if_fail (GIS_IS_FEATURE (self), NULL);

  for (guint n = 0; n < G_N_ELEMENTS (name_fields); n++)
    {
      int i = gis_feature_find_field (self, name_fields[n]);

      if (i >= 0 && is_usable_name (self, (guint) i))
        return gis_feature_get_field_name (self, (guint) i);
    }

  for (guint i = 0; i < self->fields->len; i++)
    {
      const char *name = gis_feature_get_field_name (self, i);
      gsize len = strlen (name);

      if (len >= 4 && g_ascii_strcasecmp (name + len - 4, "name") == 0 &&
          is_usable_name (self, i))
        return name;
    }

  return NULL;
}

/**
 * gis_feature_dup_title:
 * @self: a feature
 *
 * Returns: (transfer full): the value of gis_feature_get_name_field(), or
 *   else "Feature 123" (translated)
 */
char *
gis_feature_dup_title (GisFeature *self)
{
  const char *name_field;

  g_return_val_if_fail (GIS_IS_FEATURE (self), NULL);

  name_field = gis_feature_get_name_field (self);
  if (name_field != NULL)
    return gis_feature_format_value (self, (guint) gis_feature_find_field (self, name_field));

  {
    g_autofree char *fid = g_strdup_printf ("%" PRId64, (int64_t) self->fid);

    /* Translators: the title of a feature without a name; %s is its id */
    return g_strdup_printf (_("Feature %s"), fid);
  }
}
