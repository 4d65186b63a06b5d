/* atalaya-export-dialog-private.h: the export dialog's widgets and state, for its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "atalaya-export-dialog.h"

G_BEGIN_DECLS

typedef struct _PreviewJob PreviewJob;
typedef struct _ExportJob ExportJob;

struct _AtalayaExportDialog
{
  AdwWindow             parent_instance;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkButton            *cancel_button;
  GtkButton            *export_button;
  GtkWidget            *settings_box;
  AdwEntryRow          *title_row;
  AdwEntryRow          *subtitle_row;
  AdwComboRow          *language_row;       /* GisLanguage order */
  AdwComboRow          *page_size_row;      /* GisPageSize order */
  AdwComboRow          *orientation_row;    /* portrait, landscape */
  GtkSpinButton        *margin_spin;
  AdwComboRow          *crs_row;            /* crs_ids */
  AdwComboRow          *extent_row;         /* ExtentMode */
  AdwComboRow          *feature_layer_row;  /* frame_layers */
  AdwComboRow          *feature_field_row;  /* feature_fields */
  AdwActionRow         *feature_value_row;
  GtkDropDown          *feature_value_dropdown;
  AdwExpanderRow       *layers_row;
  GtkSwitch            *locator_switch;
  AdwExpanderRow       *atlas_row;
  AdwComboRow          *atlas_layer_row;    /* frame_layers */
  AdwComboRow          *atlas_field_row;    /* atlas_fields */
  AdwComboRow          *format_row;         /* GisComposeFormat order */
  AdwActionRow         *dpi_row;
  GtkSpinButton        *dpi_spin;
  GtkDrawingArea       *preview_area;
  GtkSpinner           *preview_spinner;
  GtkLabel             *preview_error_label;
  GtkBox               *page_box;
  GtkButton            *prev_page_button;
  GtkButton            *next_page_button;
  GtkLabel             *page_label;
  GtkRevealer          *status_revealer;
  GtkProgressBar       *progress_bar;
  GtkLabel             *status_label;

  /* Owned */
  GisStore             *store;              /* the window's: main thread, field lists only */
  char                 *store_path;
  GListModel           *layers;             /* drawing order, bottom first */
  GPtrArray            *crs_ids;
  GisCrs               *view_crs;           /* the map's, and its view in it */
  GisExtent             view_extent;
  GPtrArray            *layer_names;        /* as listed, top first */
  GPtrArray            *layer_checks;       /* GtkCheckButton, borrowed */
  GPtrArray            *frame_layers;       /* layers a page can be framed on */
  GPtrArray            *feature_fields;
  GPtrArray            *atlas_fields;
  GtkStringList        *values_model;
  GCancellable         *values_cancellable;
  gboolean              populating;         /* rows being filled: no preview yet */

  /* The preview: one job at a time; a loaded composition is kept between
   * jobs (self->composition, for settings whose key is composition_key)
   * and handed to the next job, which owns it until it is done. */
  guint                 debounce_id;
  PreviewJob           *preview_job;
  GCancellable         *preview_cancellable;
  gboolean              preview_again;
  GisComposition       *composition;
  char                 *composition_key;
  cairo_surface_t      *preview_surface;    /* the page, top-left at (0, 0) */
  double                page_width_pt;      /* of the page the surface shows */
  double                page_height_pt;
  gboolean              has_frame;
  double                frame_x_pt;         /* the map frame on that page */
  double                frame_y_pt;
  double                frame_width_pt;
  double                frame_height_pt;
  guint                 page;
  guint                 n_pages;
  char                 *page_title;
  GError               *preview_error;
  double                preview_ms;         /* the last render: load and draw */
  double                preview_load_ms;

  /* The export */
  ExportJob            *export_job;
  guint                 progress_id;
  double                export_seconds;     /* the last one's */
  GtkFileChooserNative *chooser;
};

G_END_DECLS
