/* gis-editor.h: editing point features, with undo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"
#include "gis-layer.h"
#include "gis-store.h"

G_BEGIN_DECLS

/**
 * GisFieldValue:
 * @name: the column's name
 * @type: the column's declared type
 * @value: (nullable): the value as stored: a "x" (int64), "d" (double),
 *   "s" (string) or "ay" (bytes) #GVariant; %NULL for SQL NULL
 *
 * One attribute of one feature.
 */
typedef struct
{
  char         *name;
  GisFieldType  type;
  GVariant     *value;
} GisFieldValue;

void  gis_field_value_free      (GisFieldValue       *value);
char *gis_field_value_to_string (const GisFieldValue *value);

#define GIS_TYPE_HABITAT_MATCH (gis_habitat_match_get_type ())

/**
 * GisHabitatMatch:
 * @layer_id: the habitat layer's registry id
 * @layer_name: the habitat layer's name
 * @fid: the habitat feature's id
 * @name: (nullable): its display name (its name/nombre/nom… column)
 *
 * A habitat polygon that contains a point.
 */
typedef struct
{
  gint64  layer_id;
  char   *layer_name;
  gint64  fid;
  char   *name;
} GisHabitatMatch;

GType            gis_habitat_match_get_type  (void) G_GNUC_CONST;
GisHabitatMatch *gis_habitat_match_copy      (const GisHabitatMatch *match);
void             gis_habitat_match_free      (GisHabitatMatch       *match);
char            *gis_habitat_match_describe  (const GisHabitatMatch *match);

#define GIS_TYPE_EDITOR (gis_editor_get_type ())

G_DECLARE_FINAL_TYPE (GisEditor, gis_editor, GIS, EDITOR, GObject)

GisEditor   *gis_editor_new                    (GisStore     *store);
GisStore    *gis_editor_get_store              (GisEditor    *self);

GHashTable  *gis_editor_attributes_new         (void);

gboolean     gis_editor_add_point              (GisEditor    *self,
                                                GisLayer     *layer,
                                                double        lon,
                                                double        lat,
                                                GHashTable   *attributes,
                                                gint64       *out_fid,
                                                GError      **error);
gboolean     gis_editor_move_point             (GisEditor    *self,
                                                GisLayer     *layer,
                                                gint64        fid,
                                                double        lon,
                                                double        lat,
                                                GError      **error);
gboolean     gis_editor_delete_feature         (GisEditor    *self,
                                                GisLayer     *layer,
                                                gint64        fid,
                                                GError      **error);
gboolean     gis_editor_set_attributes         (GisEditor    *self,
                                                GisLayer     *layer,
                                                gint64        fid,
                                                GHashTable   *values,
                                                GError      **error);

GPtrArray   *gis_editor_get_feature            (GisEditor    *self,
                                                GisLayer     *layer,
                                                gint64        fid,
                                                double       *out_lon,
                                                double       *out_lat,
                                                GError      **error);

gboolean     gis_editor_undo                   (GisEditor    *self,
                                                GError      **error);
gboolean     gis_editor_redo                   (GisEditor    *self,
                                                GError      **error);
gboolean     gis_editor_get_can_undo           (GisEditor    *self);
gboolean     gis_editor_get_can_redo           (GisEditor    *self);
const char  *gis_editor_get_undo_label         (GisEditor    *self);
const char  *gis_editor_get_redo_label         (GisEditor    *self);
void         gis_editor_clear_history          (GisEditor    *self);

gboolean     gis_editor_ensure_habitat_columns (GisEditor    *self,
                                                GisLayer     *layer,
                                                GError      **error);

GPtrArray   *gis_editor_find_habitat           (GisStore     *store,
                                                double        lon,
                                                double        lat,
                                                GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisFieldValue, gis_field_value_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisHabitatMatch, gis_habitat_match_free)

G_END_DECLS
