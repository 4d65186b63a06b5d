/* atalaya-feature-form.c: edit one feature's attributes
 *
 * One row per attribute: an entry row for text and numbers (numbers are
 * checked as they are typed, with the editor's own rules), a read-only
 * row for binary values and for the habitat link the editor maintains.
 * The feature id, its position and the habitat it lies in are shown
 * read-only.  Save writes only the fields that changed, through the
 * #GisEditor, so it can be undone.  The form follows the editor: when its
 * feature changes elsewhere (an undo), the form reloads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "atalaya-feature-form"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "atalaya-feature-form.h"

typedef struct
{
  GisFieldValue *value;       /* as loaded */
  char          *text;        /* as loaded, shown */
  GtkWidget     *row;         /* AdwEntryRow, or AdwActionRow when read-only */
  gboolean       editable;
  gboolean       valid;
} FieldRow;

static void
field_row_free (gpointer data)
{
  FieldRow *fr = data;

  gis_field_value_free (fr->value);
  g_free (fr->text);
  g_free (fr);
}

struct _AtalayaFeatureForm
{
  GtkWidget            parent_instance;

  /* Template widgets */
  GtkLabel            *title_label;
  GtkLabel            *subtitle_label;
  GtkWidget           *content_box;
  GtkWidget           *location_group;
  GtkLabel            *fid_label;
  AdwActionRow        *position_row;
  GtkLabel            *position_label;
  AdwActionRow        *habitat_row;
  AdwPreferencesGroup *attributes_group;
  GtkLabel            *message_label;
  GtkWidget           *delete_button;
  GtkWidget           *cancel_button;
  GtkWidget           *save_button;

  /* Owned */
  GisEditor           *editor;
  GisLayer            *layer;
  gint64               fid;
  GPtrArray           *rows;           /* FieldRow */
  gboolean             exists;         /* the feature was found */
  gboolean             loading;        /* rows being filled: no feedback */
};

G_DEFINE_FINAL_TYPE (AtalayaFeatureForm, atalaya_feature_form, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_EDITOR,
  PROP_LAYER,
  PROP_FID,
  PROP_MODIFIED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SAVED,
  DELETED,
  CANCELLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- helpers ------------------------------------------------------------------- */

static gboolean
is_linked_column (const char *name)
{
  return g_ascii_strcasecmp (name, "habitat_fid") == 0 ||
         g_ascii_strcasecmp (name, "habitat_name") == 0;
}

/* The editor's own rules (gis_editor_set_attributes()), checked early. */
static gboolean
text_is_valid (GisFieldType  type,
               const char   *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (*stripped == '\0')
    return TRUE;

  switch (type)
    {
    case GIS_FIELD_INTEGER:
      return g_ascii_string_to_signed (stripped, 10, G_MININT64, G_MAXINT64, NULL, NULL);
    case GIS_FIELD_REAL:
      {
        char *end = NULL;
        double v = g_ascii_strtod (stripped, &end);

        return end != stripped && *end == '\0' && isfinite (v);
      }
    case GIS_FIELD_TEXT:
    case GIS_FIELD_BLOB:
    default:
      return TRUE;
    }
}

static const char *
row_text (FieldRow *fr)
{
  if (!fr->editable)
    return fr->text;
  return gtk_editable_get_text (GTK_EDITABLE (fr->row));
}

static gboolean
row_changed (FieldRow *fr)
{
  return fr->editable && g_strcmp0 (row_text (fr), fr->text) != 0;
}

static void
show_message (AtalayaFeatureForm *self,
              const char         *text,
              gboolean            is_error)
{
  gtk_label_set_text (self->message_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), text != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
  if (!is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "dim-label");
}

static gboolean
layer_is_editable (AtalayaFeatureForm *self)
{
  return self->layer != NULL && gis_layer_is_point_layer (self->layer) &&
         !gis_store_is_read_only (gis_editor_get_store (self->editor));
}

/* ---- state ---------------------------------------------------------------------- */

static void
atalaya_feature_form_update_actions (AtalayaFeatureForm *self)
{
  gboolean modified = atalaya_feature_form_get_modified (self);
  gboolean valid = TRUE;

  for (guint i = 0; i < self->rows->len; i++)
    valid = valid && ((FieldRow *) g_ptr_array_index (self->rows, i))->valid;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "form.save",
                                 self->exists && layer_is_editable (self) && modified && valid);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "form.delete",
                                 self->exists && layer_is_editable (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "form.cancel", self->layer != NULL);
  gtk_widget_set_visible (self->delete_button, layer_is_editable (self));
  gtk_widget_set_visible (self->save_button, layer_is_editable (self));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

static void
on_entry_changed (AtalayaFeatureForm *self,
                  GtkEditable        *editable)
{
  g_assert (ATALAYA_IS_FEATURE_FORM (self));

  if (self->loading)
    return;

  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);

      if (fr->row != GTK_WIDGET (editable))
        continue;
      fr->valid = text_is_valid (fr->value->type, gtk_editable_get_text (editable));
      if (fr->valid)
        {
          gtk_widget_remove_css_class (fr->row, "error");
          gtk_widget_set_tooltip_text (fr->row, NULL);
        }
      else
        {
          gtk_widget_add_css_class (fr->row, "error");
          gtk_widget_set_tooltip_text (fr->row, fr->value->type == GIS_FIELD_INTEGER
                                                  ? _("A whole number, such as 12 or -3")
                                                  : _("A number with a decimal point, such as 12.5"));
        }
    }

  show_message (self, NULL, FALSE);
  atalaya_feature_form_update_actions (self);
}

static void
clear_rows (AtalayaFeatureForm *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);

      adw_preferences_group_remove (self->attributes_group, fr->row);
    }
  g_ptr_array_set_size (self->rows, 0);
}

static void
add_row (AtalayaFeatureForm *self,
         GisFieldValue      *value)
{
  FieldRow *fr = g_new0 (FieldRow, 1);

  fr->value = value;
  fr->text = gis_field_value_to_string (value);
  fr->valid = TRUE;
  fr->editable = layer_is_editable (self) && value->type != GIS_FIELD_BLOB &&
                 !is_linked_column (value->name);

  if (fr->editable)
    {
      fr->row = adw_entry_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (fr->row), value->name);
      gtk_editable_set_text (GTK_EDITABLE (fr->row), fr->text);
      if (value->type == GIS_FIELD_INTEGER || value->type == GIS_FIELD_REAL)
        {
          adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (fr->row), GTK_INPUT_PURPOSE_NUMBER);
          gtk_widget_add_css_class (fr->row, "numeric");
        }
      g_signal_connect_object (fr->row, "changed", G_CALLBACK (on_entry_changed), self,
                               G_CONNECT_SWAPPED);
    }
  else
    {
      GtkWidget *label = gtk_label_new (*fr->text != '\0' ? fr->text : "—");

      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_xalign (GTK_LABEL (label), 1.0f);
      gtk_widget_add_css_class (label, "dim-label");
      fr->row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (fr->row), value->name);
      adw_action_row_add_suffix (ADW_ACTION_ROW (fr->row), label);
    }

  adw_preferences_group_add (self->attributes_group, fr->row);
  g_ptr_array_add (self->rows, fr);
}

/* Degrees to six decimals (about 0.1 m), without trailing zeros. */
static void
format_degrees (char   *buf,
                gsize   size,
                double  degrees)
{
  gsize len;

  g_ascii_formatd (buf, (int) size, "%.6f", degrees);
  len = strlen (buf);
  while (len > 1 && buf[len - 1] == '0')
    buf[--len] = '\0';
  if (len > 1 && buf[len - 1] == '.')
    buf[--len] = '\0';
}

static char *
describe_habitat (AtalayaFeatureForm *self,
                  double              lon,
                  double              lat)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;

  matches = gis_editor_find_habitat (gis_editor_get_store (self->editor), lon, lat, &error);
  if (matches == NULL)
    return g_strdup (error->message);
  if (matches->len == 0)
    return g_strdup (_("Not inside any habitat"));

  for (guint i = 0; i < matches->len; i++)
    g_ptr_array_add (names, gis_habitat_match_describe (g_ptr_array_index (matches, i)));
  g_ptr_array_add (names, NULL);
  /* Translators: separates habitats in a list */
  joined = g_strjoinv (_(", "), (char **) names->pdata);
  /* Translators: the habitat polygons a point lies in */
  return g_strdup_printf (_("Inside: %s"), joined);
}

/* Reads the feature from the store and fills the form. */
static void
atalaya_feature_form_reload (AtalayaFeatureForm *self)
{
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  double lon = NAN, lat = NAN;

  self->loading = TRUE;
  clear_rows (self);
  self->exists = FALSE;

  if (self->layer == NULL)
    {
      gtk_label_set_text (self->title_label, "");
      gtk_label_set_text (self->subtitle_label, "");
      gtk_widget_set_visible (self->location_group, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->attributes_group), FALSE);
      show_message (self, NULL, FALSE);
      self->loading = FALSE;
      atalaya_feature_form_update_actions (self);
      return;
    }

  /* Translators: a feature's title, with its id */
  title = g_strdup_printf (_("Feature #%" PRId64), self->fid);
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->subtitle_label, gis_layer_get_name (self->layer));

  values = gis_editor_get_feature (self->editor, self->layer, self->fid, &lon, &lat, &error);
  if (values == NULL)
    {
      gtk_widget_set_visible (self->location_group, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->attributes_group), FALSE);
      if (g_error_matches (error, GIS_ERROR, GIS_ERROR_NOT_FOUND))
        show_message (self, _("This feature no longer exists."), FALSE);
      else
        show_message (self, error->message, TRUE);
      self->loading = FALSE;
      atalaya_feature_form_update_actions (self);
      return;
    }

  self->exists = TRUE;

  {
    g_autofree char *fid = g_strdup_printf ("%" G_GINT64_FORMAT, self->fid);
    gtk_label_set_text (self->fid_label, fid);
  }
  gtk_widget_set_visible (GTK_WIDGET (self->position_row), isfinite (lon) && isfinite (lat));
  gtk_widget_set_visible (GTK_WIDGET (self->habitat_row), isfinite (lon) && isfinite (lat));
  if (isfinite (lon) && isfinite (lat))
    {
      char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *position = NULL;
      g_autofree char *habitat = describe_habitat (self, lon, lat);

      format_degrees (x, sizeof x, lon);
      format_degrees (y, sizeof y, lat);
      /* Translators: longitude, then latitude, in degrees */
      position = g_strdup_printf (_("%s, %s"), x, y);
      gtk_label_set_text (self->position_label, position);
      adw_action_row_set_subtitle (self->habitat_row, habitat);
    }
  gtk_widget_set_visible (self->location_group, TRUE);

  while (values->len > 0)
    add_row (self, g_ptr_array_steal_index (values, 0));
  gtk_widget_set_visible (GTK_WIDGET (self->attributes_group), self->rows->len > 0);

  if (!gis_layer_is_point_layer (self->layer))
    show_message (self, _("Only features of point layers can be edited."), FALSE);
  else
    show_message (self, NULL, FALSE);

  self->loading = FALSE;
  atalaya_feature_form_update_actions (self);
}

/* ---- actions -------------------------------------------------------------------- */

static void
atalaya_feature_form_save (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  AtalayaFeatureForm *self = ATALAYA_FEATURE_FORM (widget);
  g_autoptr(GHashTable) values = gis_editor_attributes_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GisLayer) layer = NULL;
  gint64 fid = self->fid;

  if (!self->exists || self->layer == NULL)
    return;

  for (guint i = 0; i < self->rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->rows, i);
      const char *text;

      if (!row_changed (fr))
        continue;
      text = row_text (fr);
      /* an emptied field is NULL, as an empty CSV field is on import */
      if (*text == '\0')
        g_hash_table_insert (values, g_strdup (fr->value->name),
                             g_variant_ref_sink (g_variant_new_maybe (G_VARIANT_TYPE_STRING, NULL)));
      else
        g_hash_table_insert (values, g_strdup (fr->value->name),
                             g_variant_ref_sink (g_variant_new_string (text)));
    }

  if (g_hash_table_size (values) == 0)
    return;

  layer = g_object_ref (self->layer);
  if (!gis_editor_set_attributes (self->editor, layer, fid, values, &error))
    {
      show_message (self, error->message, TRUE);
      return;
    }

  /* The editor's "changed" reloaded the form already. */
  atalaya_feature_form_reload (self);
  g_signal_emit (self, signals[SAVED], 0, layer, fid);
}

static void
atalaya_feature_form_delete (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  AtalayaFeatureForm *self = ATALAYA_FEATURE_FORM (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(GisLayer) layer = NULL;
  gint64 fid = self->fid;

  if (!self->exists || self->layer == NULL)
    return;

  layer = g_object_ref (self->layer);
  if (!gis_editor_delete_feature (self->editor, layer, fid, &error))
    {
      show_message (self, error->message, TRUE);
      return;
    }

  atalaya_feature_form_reload (self);
  g_signal_emit (self, signals[DELETED], 0, layer, fid);
}

static void
atalaya_feature_form_cancel (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  AtalayaFeatureForm *self = ATALAYA_FEATURE_FORM (widget);

  /* Back to the values in the store. */
  atalaya_feature_form_reload (self);
  g_signal_emit (self, signals[CANCELLED], 0);
}

static void
on_editor_changed (AtalayaFeatureForm *self,
                   GisLayer           *layer,
                   gint64              fid,
                   GisEditor          *editor)
{
  g_assert (ATALAYA_IS_FEATURE_FORM (self));

  if (self->layer == NULL || gis_layer_get_id (layer) != gis_layer_get_id (self->layer))
    return;
  if (fid != 0 && fid != self->fid)
    return;

  /* The registry row is newer (feature count, extent). */
  g_set_object (&self->layer, layer);
  atalaya_feature_form_reload (self);
}

/* ---- GObject -------------------------------------------------------------------- */

static void
atalaya_feature_form_constructed (GObject *object)
{
  AtalayaFeatureForm *self = (AtalayaFeatureForm *) object;

  G_OBJECT_CLASS (atalaya_feature_form_parent_class)->constructed (object);

  g_assert (GIS_IS_EDITOR (self->editor));
  g_signal_connect_object (self->editor, "changed", G_CALLBACK (on_editor_changed), self,
                           G_CONNECT_SWAPPED);
  atalaya_feature_form_reload (self);
}

static void
atalaya_feature_form_dispose (GObject *object)
{
  AtalayaFeatureForm *self = (AtalayaFeatureForm *) object;
  GtkWidget *child;

  if (self->editor != NULL)
    g_signal_handlers_disconnect_by_func (self->editor, on_editor_changed, self);

  /* the rows' widgets go with the template's */
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), ATALAYA_TYPE_FEATURE_FORM);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->layer);
  g_clear_object (&self->editor);

  G_OBJECT_CLASS (atalaya_feature_form_parent_class)->dispose (object);
}

static void
atalaya_feature_form_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  AtalayaFeatureForm *self = ATALAYA_FEATURE_FORM (object);

  switch (prop_id)
    {
    case PROP_EDITOR:
      g_value_set_object (value, self->editor);
      break;
    case PROP_LAYER:
      g_value_set_object (value, self->layer);
      break;
    case PROP_FID:
      g_value_set_int64 (value, self->fid);
      break;
    case PROP_MODIFIED:
      g_value_set_boolean (value, atalaya_feature_form_get_modified (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_feature_form_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  AtalayaFeatureForm *self = ATALAYA_FEATURE_FORM (object);

  switch (prop_id)
    {
    case PROP_EDITOR:
      self->editor = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atalaya_feature_form_class_init (AtalayaFeatureFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = atalaya_feature_form_constructed;
  object_class->dispose = atalaya_feature_form_dispose;
  object_class->get_property = atalaya_feature_form_get_property;
  object_class->set_property = atalaya_feature_form_set_property;

  /**
   * AtalayaFeatureForm:editor:
   *
   * The editor the form writes through.
   */
  properties[PROP_EDITOR] =
    g_param_spec_object ("editor", NULL, NULL, GIS_TYPE_EDITOR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * AtalayaFeatureForm:layer: (nullable)
   *
   * The layer of the feature shown.
   */
  properties[PROP_LAYER] =
    g_param_spec_object ("layer", NULL, NULL, GIS_TYPE_LAYER,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * AtalayaFeatureForm:fid:
   *
   * The id of the feature shown.
   */
  properties[PROP_FID] =
    g_param_spec_int64 ("fid", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * AtalayaFeatureForm:modified:
   *
   * Whether a field was changed and not saved.
   */
  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AtalayaFeatureForm::saved:
   * @self: the form
   * @layer: the feature's layer
   * @fid: the feature
   *
   * The changed fields were written (as one undoable edit).
   */
  signals[SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, GIS_TYPE_LAYER, G_TYPE_INT64);

  /**
   * AtalayaFeatureForm::deleted:
   * @self: the form
   * @layer: the feature's layer
   * @fid: the feature deleted
   *
   * The feature was deleted (undoable through the editor).
   */
  signals[DELETED] =
    g_signal_new ("deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, GIS_TYPE_LAYER, G_TYPE_INT64);

  /**
   * AtalayaFeatureForm::cancelled:
   * @self: the form
   *
   * The user gave up the changes; the form shows the stored values again.
   */
  signals[CANCELLED] =
    g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "form.save", NULL, atalaya_feature_form_save);
  gtk_widget_class_install_action (widget_class, "form.delete", NULL, atalaya_feature_form_delete);
  gtk_widget_class_install_action (widget_class, "form.cancel", NULL, atalaya_feature_form_cancel);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "form.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "form.cancel", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/atalaya/Atalaya/ui/atalaya-feature-form.ui");
  gtk_widget_class_bind_template_child (widget_class, AtalayaFeatureForm, title_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaFeatureForm, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaFeatureForm, content_box);
  gtk_widget_class_bind_template_child (widget_class, AtalayaFeatureForm, location_group);
  gtk_widget_class_bind_template_child (widget_class, AtalayaFeatureForm, fid_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaFeatureForm, position_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaFeatureForm, position_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaFeatureForm, habitat_row);
  gtk_widget_class_bind_template_child (widget_class, AtalayaFeatureForm, attributes_group);
  gtk_widget_class_bind_template_child (widget_class, AtalayaFeatureForm, message_label);
  gtk_widget_class_bind_template_child (widget_class, AtalayaFeatureForm, delete_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaFeatureForm, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AtalayaFeatureForm, save_button);
}

static void
atalaya_feature_form_init (AtalayaFeatureForm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_ptr_array_new_with_free_func (field_row_free);
}

/* ---- public API ----------------------------------------------------------------- */

/**
 * atalaya_feature_form_new:
 * @editor: the editor to write through
 *
 * Returns: (transfer floating): a new form, showing no feature
 */
GtkWidget *
atalaya_feature_form_new (GisEditor *editor)
{
  g_return_val_if_fail (GIS_IS_EDITOR (editor), NULL);

  return g_object_new (ATALAYA_TYPE_FEATURE_FORM, "editor", editor, NULL);
}

/**
 * atalaya_feature_form_get_editor:
 * @self: a form
 *
 * Returns: (transfer none): the editor
 */
GisEditor *
atalaya_feature_form_get_editor (AtalayaFeatureForm *self)
{
  g_return_val_if_fail (ATALAYA_IS_FEATURE_FORM (self), NULL);

  return self->editor;
}

/**
 * atalaya_feature_form_set_feature:
 * @self: a form
 * @layer: (nullable): a layer of the editor's store, or %NULL for none
 * @fid: a feature of @layer
 *
 * Shows the feature, dropping unsaved changes to the one shown before.
 */
void
atalaya_feature_form_set_feature (AtalayaFeatureForm *self,
                                  GisLayer           *layer,
                                  gint64              fid)
{
  g_return_if_fail (ATALAYA_IS_FEATURE_FORM (self));
  g_return_if_fail (layer == NULL || GIS_IS_LAYER (layer));

  g_set_object (&self->layer, layer);
  self->fid = layer != NULL ? fid : 0;
  atalaya_feature_form_reload (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAYER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FID]);
}

/**
 * atalaya_feature_form_get_layer:
 * @self: a form
 *
 * Returns: (transfer none) (nullable): the layer of the feature shown
 */
GisLayer *
atalaya_feature_form_get_layer (AtalayaFeatureForm *self)
{
  g_return_val_if_fail (ATALAYA_IS_FEATURE_FORM (self), NULL);

  return self->layer;
}

/**
 * atalaya_feature_form_get_fid:
 * @self: a form
 *
 * Returns: the id of the feature shown (0 when none)
 */
gint64
atalaya_feature_form_get_fid (AtalayaFeatureForm *self)
{
  g_return_val_if_fail (ATALAYA_IS_FEATURE_FORM (self), 0);

  return self->fid;
}

/**
 * atalaya_feature_form_get_modified:
 * @self: a form
 *
 * Returns: whether a field was changed and not saved
 */
gboolean
atalaya_feature_form_get_modified (AtalayaFeatureForm *self)
{
  g_return_val_if_fail (ATALAYA_IS_FEATURE_FORM (self), FALSE);

  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    if (row_changed (g_ptr_array_index (self->rows, i)))
      return TRUE;
  return FALSE;
}
