/* atalaya-query-panel-private.h: the query panel's widgets and state, for its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "atalaya-query-panel.h"

G_BEGIN_DECLS

typedef enum
{
  QUERY_ROW_SPATIAL,
  QUERY_ROW_ATTRIBUTE,
  QUERY_ROW_DATE,
} QueryRowKind;

/* The order of the spatial operator drop-down: GisSpatialOp. */
/* The order of the attribute operator drop-down: GisCompareOp. */

/* A condition row: widgets made in code, kept in the panel's rows. */
typedef struct
{
  AtalayaQueryPanel *panel;
  QueryRowKind       kind;
  GtkWidget         *box;
  GtkToggleButton   *not_button;
  GtkButton         *remove_button;

  /* spatial */
  GtkDropDown       *spatial_op;
  GtkDropDown       *reference;       /* layers, then the drawn polygon, the picked point */
  GtkWidget         *distance_box;
  GtkSpinButton     *km_spin;
  GtkWidget         *nearest_box;
  GtkSpinButton     *n_spin;
  GtkCheckButton    *geodesic;
  GtkButton         *draw_button;
  GtkLabel          *shape_label;
  char              *wkt;             /* the drawn polygon or picked point */

  /* attribute */
  GtkDropDown       *field;
  GtkDropDown       *compare_op;
  GtkEntry          *value;
  GtkEntry          *value2;

  /* date */
  GtkEntry          *from;
  GtkEntry          *to;
} QueryRow;

typedef struct _QueryJob QueryJob;

struct _AtalayaQueryPanel
{
  GtkWidget          parent_instance;

  /* Template widgets */
  GtkScrolledWindow *scrolled_window;
  AdwComboRow       *target_row;
  GtkToggleButton   *match_all_button;
  GtkToggleButton   *match_any_button;
  GtkBox            *rows_box;
  GtkMenuButton     *add_button;
  GtkEntry          *expression_entry;
  GtkLabel          *error_label;
  GtkLabel          *query_label;
  GtkButton         *run_button;
  GtkButton         *cancel_button;
  GtkProgressBar    *progress_bar;
  GtkLabel          *status_label;
  GtkBox            *result_box;
  GtkButton         *zoom_button;
  GtkMenuButton     *save_layer_button;
  AdwPreferencesGroup *ready_group;
  AdwPreferencesGroup *saved_group;
  GtkMenuButton     *save_query_button;
  GtkListBox        *saved_list;

  /* Built in code: the ready queries, by GisReadyQuery */
  GtkSpinButton     *ready_km[GIS_READY_QUERY_LAST + 1];
  GtkSwitch         *ready_geodesic[GIS_READY_QUERY_LAST + 1];
  GtkButton         *ready_run[GIS_READY_QUERY_LAST + 1];
  GtkMenuButton     *ready_save[GIS_READY_QUERY_LAST + 1];
  GtkEntry          *save_layer_entry;
  GtkEntry          *save_query_entry;
  GtkEntry          *ready_save_entry[GIS_READY_QUERY_LAST + 1];

  /* Owned */
  GisStore          *store;           /* the window's; main thread */
  GListModel        *layers;
  GtkStringList     *layer_names;
  GPtrArray         *rows;            /* QueryRow */
  GPtrArray         *fields;          /* GisField of the target */
  GisQuery          *query;           /* the valid query shown; nullable */
  GCancellable      *cancellable;     /* the running job; NULL when idle */
  QueryJob          *job;
  GArray            *result_fids;     /* the last result; nullable */
  char              *result_target;
  guint              tick_id;

  /* Borrowed */
  AtalayaMapView    *map_view;        /* weak */
  QueryRow          *drawing_row;     /* the row the map is drawing for */

  gboolean           updating;
};

guint      atalaya_query_panel_add_row          (AtalayaQueryPanel *self,
                                                 QueryRowKind       kind);
QueryRow  *atalaya_query_panel_get_row          (AtalayaQueryPanel *self,
                                                 guint              i);
void       atalaya_query_panel_remove_row       (AtalayaQueryPanel *self,
                                                 guint              i);
gboolean   atalaya_query_panel_select_string    (GtkDropDown       *drop_down,
                                                 const char        *text);
void       atalaya_query_panel_run_ready        (AtalayaQueryPanel *self,
                                                 GisReadyQuery      ready,
                                                 const char        *save_as);
void       atalaya_query_panel_save_as_layer    (AtalayaQueryPanel *self,
                                                 const char        *name);
gboolean   atalaya_query_panel_save_query       (AtalayaQueryPanel *self,
                                                 const char        *name,
                                                 GError           **error);
gboolean   atalaya_query_panel_load_query       (AtalayaQueryPanel *self,
                                                 const char        *name,
                                                 GError           **error);
gboolean   atalaya_query_panel_delete_query     (AtalayaQueryPanel *self,
                                                 const char        *name,
                                                 GError           **error);
GArray    *atalaya_query_panel_get_result       (AtalayaQueryPanel *self);

G_END_DECLS
