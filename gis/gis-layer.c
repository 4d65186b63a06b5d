/* gis-layer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "gis-layer"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "gis-layer-private.h"

struct _GisLayer
{
  GObject       parent_instance;

  gint64        id;
  char         *name;
  char         *table_name;
  GisLayerRole  role;
  char         *geometry_type;
  int           srid;
  char         *source;
  char         *imported_at;
  gint64        feature_count;
  GisExtent     extent;
  char         *style_json;
  gboolean      visible;
  int           z_order;
  double        opacity;
};

G_DEFINE_FINAL_TYPE (GisLayer, gis_layer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_TABLE_NAME,
  PROP_ROLE,
  PROP_GEOMETRY_TYPE,
  PROP_FEATURE_COUNT,
  PROP_STYLE_JSON,
  PROP_VISIBLE,
  PROP_Z_ORDER,
  PROP_OPACITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct {
  GisLayerRole role;
  const char *id;
  const char *label;
} roles[] = {
  { GIS_LAYER_ROLE_OTHER, "other", N_("Other") },
  { GIS_LAYER_ROLE_BOUNDARY, "boundary", N_("Boundary") },
  { GIS_LAYER_ROLE_PORT, "port", N_("Port of entry") },
  { GIS_LAYER_ROLE_FACILITY, "facility", N_("Regulated facility") },
  { GIS_LAYER_ROLE_HABITAT, "habitat", N_("Habitat") },
  { GIS_LAYER_ROLE_INCIDENT, "incident", N_("Incident") },
  { GIS_LAYER_ROLE_RESOURCE, "resource", N_("Enforcement resource") },
  { GIS_LAYER_ROLE_ZONE, "zone", N_("Zone") },
  { GIS_LAYER_ROLE_RESULT, "result", N_("Analysis result") },
};

static const struct {
  const char *type;
  const char *label;
} geometry_types[] = {
  { "POINT", N_("Point") },
  { "MULTIPOINT", N_("Multipoint") },
  { "LINESTRING", N_("Line") },
  { "MULTILINESTRING", N_("Multiline") },
  { "POLYGON", N_("Polygon") },
  { "MULTIPOLYGON", N_("Multipolygon") },
  { "GEOMETRYCOLLECTION", N_("Geometry collection") },
  { "GEOMETRY", N_("Mixed geometry") },
  { "NONE", N_("No geometry") },
  { "RASTER", N_("Raster") },
};

/**
 * gis_geometry_type_to_label:
 * @type: (nullable): a SpatiaLite geometry type name, as the registry
 *   and features hold them
 *
 * Returns: (transfer none): its translated name, or @type itself when it
 *   is not known
 */
const char *
gis_geometry_type_to_label (const char *type)
{
  if (type == NULL)
    return _("No geometry");

  for (guint i = 0; i < G_N_ELEMENTS (geometry_types); i++)
    if (g_ascii_strcasecmp (geometry_types[i].type, type) == 0)
      return _(geometry_types[i].label);
  return type;
}

const char *
gis_layer_role_to_string (GisLayerRole role)
{
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (roles[i].role == role)
      return roles[i].id;
  return "other";
}

/**
 * gis_layer_role_to_label:
 *
 * Returns: (transfer none): the translated name of @role
 */
const char *
gis_layer_role_to_label (GisLayerRole role)
{
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (roles[i].role == role)
      return _(roles[i].label);
  return _("Other");
}

gboolean
gis_layer_role_from_string (const char   *str,
                            GisLayerRole *out_role)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_ascii_strcasecmp (roles[i].id, str) == 0)
      {
        *out_role = roles[i].role;
        return TRUE;
      }
  return FALSE;
}

void
gis_field_free (GisField *field)
{
  if (field == NULL)
    return;
  g_free (field->name);
  g_free (field);
}

const char *
gis_field_type_to_sql (GisFieldType type)
{
  switch (type)
    {
    case GIS_FIELD_INTEGER: return "INTEGER";
    case GIS_FIELD_REAL: return "REAL";
    case GIS_FIELD_TEXT: return "TEXT";
    case GIS_FIELD_BLOB: return "BLOB";
    default: return "TEXT";
    }
}

const char *
gis_field_type_to_string (GisFieldType type)
{
  switch (type)
    {
    case GIS_FIELD_INTEGER: return "integer";
    case GIS_FIELD_REAL: return "real";
    case GIS_FIELD_TEXT: return "text";
    case GIS_FIELD_BLOB: return "blob";
    default: return "text";
    }
}

static void
gis_layer_finalize (GObject *object)
{
  GisLayer *self = (GisLayer *) object;

  g_free (self->name);
  g_free (self->table_name);
  g_free (self->geometry_type);
  g_free (self->source);
  g_free (self->imported_at);
  g_free (self->style_json);

  G_OBJECT_CLASS (gis_layer_parent_class)->finalize (object);
}

static void
gis_layer_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  GisLayer *self = GIS_LAYER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TABLE_NAME:
      g_value_set_string (value, self->table_name);
      break;
    case PROP_ROLE:
      g_value_set_int (value, self->role);
      break;
    case PROP_GEOMETRY_TYPE:
      g_value_set_string (value, self->geometry_type);
      break;
    case PROP_FEATURE_COUNT:
      g_value_set_int64 (value, self->feature_count);
      break;
    case PROP_STYLE_JSON:
      g_value_set_string (value, self->style_json);
      break;
    case PROP_VISIBLE:
      g_value_set_boolean (value, self->visible);
      break;
    case PROP_Z_ORDER:
      g_value_set_int (value, self->z_order);
      break;
    case PROP_OPACITY:
      g_value_set_double (value, self->opacity);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gis_layer_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  GisLayer *self = GIS_LAYER (object);

  switch (prop_id)
    {
    case PROP_STYLE_JSON:
      gis_layer_set_style_json (self, g_value_get_string (value));
      break;
    case PROP_VISIBLE:
      gis_layer_set_visible (self, g_value_get_boolean (value));
      break;
    case PROP_Z_ORDER:
      gis_layer_set_z_order (self, g_value_get_int (value));
      break;
    case PROP_OPACITY:
      gis_layer_set_opacity (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gis_layer_class_init (GisLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gis_layer_finalize;
  object_class->get_property = gis_layer_get_property;
  object_class->set_property = gis_layer_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TABLE_NAME] =
    g_param_spec_string ("table-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROLE] =
    g_param_spec_int ("role", NULL, NULL, 0, GIS_LAYER_ROLE_RESULT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_GEOMETRY_TYPE] =
    g_param_spec_string ("geometry-type", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FEATURE_COUNT] =
    g_param_spec_int64 ("feature-count", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STYLE_JSON] =
    g_param_spec_string ("style-json", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VISIBLE] =
    g_param_spec_boolean ("visible", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_Z_ORDER] =
    g_param_spec_int ("z-order", NULL, NULL, G_MININT, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OPACITY] =
    g_param_spec_double ("opacity", NULL, NULL, 0.0, 1.0, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gis_layer_init (GisLayer *self)
{
  self->visible = TRUE;
  self->opacity = 1.0;
  self->srid = 4326;
  gis_extent_init_empty (&self->extent);
}

static char *
column_strdup (sqlite3_stmt *stmt,
               int           col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

/**
 * gis_layer_new_from_row:
 * @stmt: a statement positioned on a row of GIS_LAYER_COLUMNS
 *
 * Returns: (transfer full): the layer
 */
GisLayer *
gis_layer_new_from_row (sqlite3_stmt *stmt)
{
  GisLayer *self = g_object_new (GIS_TYPE_LAYER, NULL);
  g_autofree char *role = NULL;
  g_autofree char *extent = NULL;

  self->id = sqlite3_column_int64 (stmt, 0);
  self->name = column_strdup (stmt, 1);
  self->table_name = column_strdup (stmt, 2);
  role = column_strdup (stmt, 3);
  if (!gis_layer_role_from_string (role, &self->role))
    self->role = GIS_LAYER_ROLE_OTHER;
  self->geometry_type = column_strdup (stmt, 4);
  self->srid = sqlite3_column_int (stmt, 5);
  self->source = column_strdup (stmt, 6);
  self->imported_at = column_strdup (stmt, 7);
  self->feature_count = sqlite3_column_int64 (stmt, 8);
  extent = column_strdup (stmt, 9);
  if (!gis_extent_parse (extent, &self->extent))
    gis_extent_init_empty (&self->extent);
  self->style_json = column_strdup (stmt, 10);
  self->visible = sqlite3_column_int (stmt, 11) != 0;
  self->z_order = sqlite3_column_int (stmt, 12);
  self->opacity = sqlite3_column_double (stmt, 13);

  return self;
}

gint64
gis_layer_get_id (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), 0);
  return self->id;
}

const char *
gis_layer_get_name (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), NULL);
  return self->name;
}

const char *
gis_layer_get_table_name (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), NULL);
  return self->table_name;
}

GisLayerRole
gis_layer_get_role (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), GIS_LAYER_ROLE_OTHER);
  return self->role;
}

const char *
gis_layer_get_geometry_type (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), NULL);
  return self->geometry_type;
}

int
gis_layer_get_srid (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), 0);
  return self->srid;
}

const char *
gis_layer_get_source (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), NULL);
  return self->source;
}

const char *
gis_layer_get_imported_at (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), NULL);
  return self->imported_at;
}

gint64
gis_layer_get_feature_count (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), 0);
  return self->feature_count;
}

/**
 * gis_layer_get_extent:
 *
 * Returns: (transfer none): the layer's extent in its storage CRS
 */
const GisExtent *
gis_layer_get_extent (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), NULL);
  return &self->extent;
}

const char *
gis_layer_get_style_json (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), NULL);
  return self->style_json;
}

void
gis_layer_set_style_json (GisLayer   *self,
                          const char *style_json)
{
  g_return_if_fail (GIS_IS_LAYER (self));

  if (g_strcmp0 (self->style_json, style_json) == 0)
    return;
  g_free (self->style_json);
  self->style_json = g_strdup (style_json);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STYLE_JSON]);
}

gboolean
gis_layer_get_visible (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), FALSE);
  return self->visible;
}

void
gis_layer_set_visible (GisLayer *self,
                       gboolean  visible)
{
  g_return_if_fail (GIS_IS_LAYER (self));

  visible = !!visible;
  if (self->visible != visible)
    {
      self->visible = visible;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE]);
    }
}

int
gis_layer_get_z_order (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), 0);
  return self->z_order;
}

void
gis_layer_set_z_order (GisLayer *self,
                       int       z_order)
{
  g_return_if_fail (GIS_IS_LAYER (self));

  if (self->z_order != z_order)
    {
      self->z_order = z_order;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_Z_ORDER]);
    }
}

double
gis_layer_get_opacity (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), 1.0);
  return self->opacity;
}

void
gis_layer_set_opacity (GisLayer *self,
                       double    opacity)
{
  g_return_if_fail (GIS_IS_LAYER (self));

  opacity = CLAMP (opacity, 0.0, 1.0);
  if (self->opacity != opacity)
    {
      self->opacity = opacity;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPACITY]);
    }
}

/**
 * gis_layer_is_point_layer:
 *
 * Returns: %TRUE if every feature is a single point
 */
gboolean
gis_layer_is_point_layer (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), FALSE);
  return g_strcmp0 (self->geometry_type, "POINT") == 0;
}

/**
 * gis_layer_is_raster:
 * @self: a layer
 *
 * Returns: whether @self is a raster: its cells in atalaya_rasters, no table
 */
gboolean
gis_layer_is_raster (GisLayer *self)
{
  g_return_val_if_fail (GIS_IS_LAYER (self), FALSE);
  return g_strcmp0 (self->geometry_type, GIS_RASTER_GEOMETRY_TYPE) == 0;
}
