/* atalaya-map-controller.h: what the map shows, kept in step with the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "atalaya-map-view.h"

G_BEGIN_DECLS

/**
 * AtalayaHit:
 * @layer_id: the layer of the feature
 * @fid: the feature
 * @distance_px: how far from the click, in pixels (0 inside a polygon)
 */
typedef struct
{
  gint64 layer_id;
  gint64 fid;
  double distance_px;
} AtalayaHit;

#define ATALAYA_TYPE_MAP_CONTROLLER (atalaya_map_controller_get_type ())

G_DECLARE_FINAL_TYPE (AtalayaMapController, atalaya_map_controller, ATALAYA, MAP_CONTROLLER, GObject)

AtalayaMapController *atalaya_map_controller_new             (AtalayaMapView       *view);
void                  atalaya_map_controller_set_store       (AtalayaMapController *self,
                                                              GisStore             *store,
                                                              GListModel           *layers);
GisStyle             *atalaya_map_controller_get_style       (AtalayaMapController *self,
                                                              gint64                layer_id);
gboolean              atalaya_map_controller_set_style       (AtalayaMapController *self,
                                                              gint64                layer_id,
                                                              GisStyle             *style,
                                                              GError              **error);
GisLayerData         *atalaya_map_controller_get_data        (AtalayaMapController *self,
                                                              gint64                layer_id);
void                  atalaya_map_controller_reload_layer    (AtalayaMapController *self,
                                                              gint64                layer_id);
void                  atalaya_map_controller_reload_all      (AtalayaMapController *self);
void                  atalaya_map_controller_set_time_filter (AtalayaMapController *self,
                                                              gboolean              enabled,
                                                              gint64                from_s,
                                                              gint64                to_s);
gboolean              atalaya_map_controller_get_time_range  (AtalayaMapController *self,
                                                              gint64               *min_s,
                                                              gint64               *max_s);
void                  atalaya_map_controller_set_selection   (AtalayaMapController *self,
                                                              gint64                layer_id,
                                                              const gint64         *fids,
                                                              gsize                 n_fids);
const gint64         *atalaya_map_controller_get_selection   (AtalayaMapController *self,
                                                              gint64                layer_id,
                                                              gsize                *n_fids);
void                  atalaya_map_controller_clear_selection (AtalayaMapController *self);
GArray               *atalaya_map_controller_hit_test        (AtalayaMapController *self,
                                                              double                px,
                                                              double                py,
                                                              double                tolerance_px,
                                                              gint64                only_layer_id);
GArray               *atalaya_map_controller_select_box      (AtalayaMapController *self,
                                                              gint64                layer_id,
                                                              const GisExtent      *map_box);
gboolean              atalaya_map_controller_get_loading     (AtalayaMapController *self);
gboolean              atalaya_map_controller_get_fids_extent (AtalayaMapController *self,
                                                              gint64                layer_id,
                                                              const gint64         *fids,
                                                              gsize                 n_fids,
                                                              GisExtent            *out_map_extent);
void                  atalaya_map_controller_set_overlay     (AtalayaMapController *self,
                                                              GPtrArray            *wkb,
                                                              GisCrs               *wkb_crs);
GisLayerData         *atalaya_map_controller_get_overlay     (AtalayaMapController *self);
void                  atalaya_map_controller_set_overlay_selected (AtalayaMapController *self,
                                                              gint64                index);

G_END_DECLS
