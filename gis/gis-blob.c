/* gis-blob.c: SpatiaLite geometry BLOBs <-> little-endian ISO WKB (2D)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "gis-blob-private.h"

#define BLOB_START    0x00
#define BLOB_LE       0x01
#define BLOB_MBR_END  0x7C
#define BLOB_ENTITY   0x69
#define BLOB_END      0xFE
#define HEADER_SIZE   39   /* start, order, srid, mbr, mbr_end */

static inline void
put_i32 (guint8 *p,
         gint32  v)
{
  guint32 le = GUINT32_TO_LE ((guint32) v);

  memcpy (p, &le, 4);
}

static inline void
put_f64 (guint8 *p,
         double  v)
{
  guint64 bits;

  memcpy (&bits, &v, 8);
  bits = GUINT64_TO_LE (bits);
  memcpy (p, &bits, 8);
}

static inline guint32
get_u32 (const guint8 *p,
         gboolean      little)
{
  guint32 v;

  memcpy (&v, p, 4);
  return little ? GUINT32_FROM_LE (v) : GUINT32_FROM_BE (v);
}

static inline double
get_f64 (const guint8 *p,
         gboolean      little)
{
  guint64 bits;
  double v;

  memcpy (&bits, p, 8);
  bits = little ? GUINT64_FROM_LE (bits) : GUINT64_FROM_BE (bits);
  memcpy (&v, &bits, 8);
  return v;
}

void
gis_blob_write_point (guint8 *blob,
                      int     srid,
                      double  x,
                      double  y)
{
  blob[0] = BLOB_START;
  blob[1] = BLOB_LE;
  put_i32 (blob + 2, srid);
  put_f64 (blob + 6, x);
  put_f64 (blob + 14, y);
  put_f64 (blob + 22, x);
  put_f64 (blob + 30, y);
  blob[38] = BLOB_MBR_END;
  put_i32 (blob + 39, 1);
  put_f64 (blob + 43, x);
  put_f64 (blob + 51, y);
  blob[59] = BLOB_END;
}

/* Copies the body of one WKB geometry (2D, little-endian) starting at its
 * type, recursing into collections.  Returns the number of WKB bytes read,
 * or 0 when the WKB is malformed. */
static gsize
copy_body (const guint8 *wkb,
           gsize         len,
           GByteArray   *out,
           gboolean      top)
{
  gsize pos = 0;
  guint32 type, n;
  guint8 b4[4];

  if (len < 5 || wkb[0] != 0x01)
    return 0;
  type = get_u32 (wkb + 1, TRUE);
  pos = 5;

  if (!top)
    {
      guint8 marker = BLOB_ENTITY;
      g_byte_array_append (out, &marker, 1);
    }
  put_i32 (b4, (gint32) type);
  g_byte_array_append (out, b4, 4);

  switch (type)
    {
    case 1: /* point */
      if (len < pos + 16)
        return 0;
      g_byte_array_append (out, wkb + pos, 16);
      return pos + 16;

    case 2: /* linestring */
      if (len < pos + 4)
        return 0;
      n = get_u32 (wkb + pos, TRUE);
      if ((len - pos - 4) / 16 < n)
        return 0;
      g_byte_array_append (out, wkb + pos, 4 + (gsize) n * 16);
      return pos + 4 + (gsize) n * 16;

    case 3: /* polygon */
      {
        guint32 rings;

        if (len < pos + 4)
          return 0;
        rings = get_u32 (wkb + pos, TRUE);
        g_byte_array_append (out, wkb + pos, 4);
        pos += 4;
        for (guint32 r = 0; r < rings; r++)
          {
            if (len < pos + 4)
              return 0;
            n = get_u32 (wkb + pos, TRUE);
            if ((len - pos - 4) / 16 < n)
              return 0;
            g_byte_array_append (out, wkb + pos, 4 + (gsize) n * 16);
            pos += 4 + (gsize) n * 16;
          }
        return pos;
      }

    case 4: /* multipoint */
    case 5: /* multilinestring */
    case 6: /* multipolygon */
    case 7: /* geometrycollection */
      if (len < pos + 4)
        return 0;
      n = get_u32 (wkb + pos, TRUE);
      g_byte_array_append (out, wkb + pos, 4);
      pos += 4;
      for (guint32 i = 0; i < n; i++)
        {
          gsize used = copy_body (wkb + pos, len - pos, out, FALSE);

          if (used == 0)
            return 0;
          pos += used;
        }
      return pos;

    default:
      return 0;
    }
}

/**
 * gis_blob_from_wkb:
 * @wkb: little-endian 2D ISO WKB
 * @wkb_len: its length
 * @srid: the SRID to write
 * @mbr: min x, min y, max x, max y
 * @out_len: (out): the blob's length
 *
 * Returns: (transfer full) (nullable): the SpatiaLite blob, or %NULL if
 *   @wkb is malformed or not 2D
 */
guint8 *
gis_blob_from_wkb (const guint8 *wkb,
                   gsize         wkb_len,
                   int           srid,
                   const double  mbr[4],
                   gsize        *out_len)
{
  GByteArray *out = g_byte_array_sized_new (wkb_len + HEADER_SIZE + 8);
  guint8 header[HEADER_SIZE];
  guint8 end = BLOB_END;

  header[0] = BLOB_START;
  header[1] = BLOB_LE;
  put_i32 (header + 2, srid);
  put_f64 (header + 6, mbr[0]);
  put_f64 (header + 14, mbr[1]);
  put_f64 (header + 22, mbr[2]);
  put_f64 (header + 30, mbr[3]);
  header[38] = BLOB_MBR_END;
  g_byte_array_append (out, header, HEADER_SIZE);

  if (copy_body (wkb, wkb_len, out, TRUE) != wkb_len)
    {
      g_byte_array_free (out, TRUE);
      return NULL;
    }

  g_byte_array_append (out, &end, 1);
  *out_len = out->len;
  return g_byte_array_free (out, FALSE);
}

gboolean
gis_blob_is_geometry (const guint8 *blob,
                      gsize         blob_len)
{
  return blob != NULL && blob_len >= HEADER_SIZE + 5 &&
         blob[0] == BLOB_START && (blob[1] == 0x00 || blob[1] == BLOB_LE) &&
         blob[38] == BLOB_MBR_END && blob[blob_len - 1] == BLOB_END;
}

gboolean
gis_blob_get_mbr (const guint8 *blob,
                  gsize         blob_len,
                  double        mbr[4])
{
  gboolean little;

  if (!gis_blob_is_geometry (blob, blob_len))
    return FALSE;
  little = blob[1] == BLOB_LE;
  for (int i = 0; i < 4; i++)
    mbr[i] = get_f64 (blob + 6 + 8 * i, little);
  return TRUE;
}

/**
 * gis_blob_get_point:
 *
 * Returns: %TRUE if @blob is a plain 2D point, with its coordinates
 */
gboolean
gis_blob_get_point (const guint8 *blob,
                    gsize         blob_len,
                    double       *x,
                    double       *y)
{
  gboolean little;

  if (blob_len != GIS_POINT_BLOB_SIZE || !gis_blob_is_geometry (blob, blob_len))
    return FALSE;
  little = blob[1] == BLOB_LE;
  if (get_u32 (blob + 39, little) != 1)
    return FALSE;
  *x = get_f64 (blob + 43, little);
  *y = get_f64 (blob + 51, little);
  return TRUE;
}

/* The inverse of copy_body(): SpatiaLite body (either byte order, 2D
 * classes only) to little-endian WKB. */
static gsize
blob_body_to_wkb (const guint8 *p,
                  gsize         len,
                  gboolean      little,
                  GByteArray   *out)
{
  gsize pos = 0;
  guint32 type, n;
  guint8 b[8];

  if (len < 4)
    return 0;
  type = get_u32 (p, little);
  pos = 4;

  b[0] = 0x01;
  g_byte_array_append (out, b, 1);
  put_i32 (b, (gint32) type);
  g_byte_array_append (out, b, 4);

#define COPY_POINTS(count)                                         \
  G_STMT_START {                                                   \
    for (guint32 k = 0; k < 2 * (count); k++)                      \
      {                                                            \
        put_f64 (b, get_f64 (p + pos, little));                    \
        g_byte_array_append (out, b, 8);                           \
        pos += 8;                                                  \
      }                                                            \
  } G_STMT_END

  switch (type)
    {
    case 1:
      if (len < pos + 16)
        return 0;
      COPY_POINTS (1);
      return pos;

    case 2:
      if (len < pos + 4)
        return 0;
      n = get_u32 (p + pos, little);
      pos += 4;
      if ((len - pos) / 16 < n)
        return 0;
      put_i32 (b, (gint32) n);
      g_byte_array_append (out, b, 4);
      COPY_POINTS (n);
      return pos;

    case 3:
      {
        guint32 rings;

        if (len < pos + 4)
          return 0;
        rings = get_u32 (p + pos, little);
        pos += 4;
        put_i32 (b, (gint32) rings);
        g_byte_array_append (out, b, 4);
        for (guint32 r = 0; r < rings; r++)
          {
            if (len < pos + 4)
              return 0;
            n = get_u32 (p + pos, little);
            pos += 4;
            if ((len - pos) / 16 < n)
              return 0;
            put_i32 (b, (gint32) n);
            g_byte_array_append (out, b, 4);
            COPY_POINTS (n);
          }
        return pos;
      }

    case 4:
    case 5:
    case 6:
    case 7:
      if (len < pos + 4)
        return 0;
      n = get_u32 (p + pos, little);
      pos += 4;
      put_i32 (b, (gint32) n);
      g_byte_array_append (out, b, 4);
      for (guint32 i = 0; i < n; i++)
        {
          gsize used;

          if (len < pos + 1 || p[pos] != BLOB_ENTITY)
            return 0;
          pos++;
          used = blob_body_to_wkb (p + pos, len - pos, little, out);
          if (used == 0)
            return 0;
          pos += used;
        }
      return pos;

    default:
      return 0;
    }
#undef COPY_POINTS
}

/**
 * gis_blob_to_wkb:
 * @blob: a SpatiaLite geometry blob (2D classes)
 * @blob_len: its length
 * @out_len: (out): length of the WKB
 * @out_srid: (out) (optional): the blob's SRID
 *
 * Returns: (transfer full) (nullable): little-endian ISO WKB, or %NULL if
 *   @blob is not a 2D SpatiaLite geometry
 */
guint8 *
gis_blob_to_wkb (const guint8 *blob,
                 gsize         blob_len,
                 gsize        *out_len,
                 int          *out_srid)
{
  GByteArray *out;
  gboolean little;

  if (!gis_blob_is_geometry (blob, blob_len))
    return NULL;

  little = blob[1] == BLOB_LE;
  out = g_byte_array_sized_new (blob_len);
  if (blob_body_to_wkb (blob + HEADER_SIZE, blob_len - HEADER_SIZE - 1, little, out) !=
      blob_len - HEADER_SIZE - 1)
    {
      g_byte_array_free (out, TRUE);
      return NULL;
    }

  if (out_srid != NULL)
    *out_srid = (int) get_u32 (blob + 2, little);
  *out_len = out->len;
  return g_byte_array_free (out, FALSE);
}
