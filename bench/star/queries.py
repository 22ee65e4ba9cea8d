"""The star schema's reporting workload: 87 statements from 14 templates, each tagged ``-- star Qn``.

Templates join a fact table to three to six dimensions, filter on dimension attributes, group and
order; variants change the channel (store, catalog, web) and the filter values. Constants end up as
``$n`` in pg_stat_statements, so variants differing only in values would collapse into one entry:
each variant also differs in shape (a filter column, a grouping, a join), as reports do.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Channel:
    fact: str
    date: str
    item: str
    customer: str
    cdemo: str | None
    hdemo: str | None
    promo: str
    qty: str
    price: str
    ext: str
    profit: str
    number: str


STORE = Channel("store_sales", "ss_sold_date_sk", "ss_item_sk", "ss_customer_sk", "ss_cdemo_sk", "ss_hdemo_sk",
                "ss_promo_sk", "ss_quantity", "ss_sales_price", "ss_ext_sales_price", "ss_net_profit",
                "ss_ticket_number")
CATALOG = Channel("catalog_sales", "cs_sold_date_sk", "cs_item_sk", "cs_bill_customer_sk", "cs_bill_cdemo_sk", None,
                  "cs_promo_sk", "cs_quantity", "cs_sales_price", "cs_ext_sales_price", "cs_net_profit",
                  "cs_order_number")
WEB = Channel("web_sales", "ws_sold_date_sk", "ws_item_sk", "ws_bill_customer_sk", None, "ws_bill_hdemo_sk",
              "ws_promo_sk", "ws_quantity", "ws_sales_price", "ws_ext_sales_price", "ws_net_profit",
              "ws_order_number")
CHANNELS = (STORE, CATALOG, WEB)
RETURNS = {STORE: ("store_returns", "sr_returned_date_sk", "sr_item_sk", "sr_reason_sk", "sr_ticket_number",
                   "sr_return_amt"),
           CATALOG: ("catalog_returns", "cr_returned_date_sk", "cr_item_sk", "cr_reason_sk", "cr_order_number",
                     "cr_return_amount"),
           WEB: ("web_returns", "wr_returned_date_sk", "wr_item_sk", "wr_reason_sk", "wr_order_number",
                 "wr_return_amt")}
_ITEM_FILTERS = ("i.i_manufact_id = {v}", "i.i_category = 'Books' AND i.i_class = 'class{v}'",
                 "i.i_brand = 'brand #{v}'", "i.i_color = 'olive' AND i.i_size = 'petite'")
_DATE_FILTERS = ("d.d_year = 2001 AND d.d_moy = 11", "d.d_year = 2000 AND d.d_qoy = 2", "d.d_date = date '2002-03-14'",
                 "d.d_week_seq = 300")


def _brand_revenue() -> list[str]:
    out = []
    for ch in CHANNELS:
        for n, (item_filter, date_filter) in enumerate(zip(_ITEM_FILTERS, _DATE_FILTERS, strict=True)):
            out.append(f"SELECT i.i_brand, sum(f.{ch.ext}) AS revenue FROM {ch.fact} f "
                       f"JOIN date_dim d ON d.d_date_sk = f.{ch.date} JOIN item i ON i.i_item_sk = f.{ch.item} "
                       f"WHERE {date_filter} AND {item_filter.format(v=128 + n)} "
                       "GROUP BY i.i_brand ORDER BY revenue DESC LIMIT 100")
    return out


def _demographics() -> list[str]:
    out = []
    for ch in (STORE, CATALOG):
        for n, (gender, status, education) in enumerate((("M", "S", "College"), ("F", "M", "Primary"),
                                                         ("F", "W", "Advanced Degree"), ("M", "D", "Secondary"))):
            grouping = ("i.i_item_id", "i.i_category", "d.d_moy", "i.i_class")[n]
            out.append(f"SELECT {grouping}, avg(f.{ch.qty}), avg(f.{ch.price}) FROM {ch.fact} f "
                       f"JOIN customer_demographics cd ON cd.cd_demo_sk = f.{ch.cdemo} "
                       f"JOIN date_dim d ON d.d_date_sk = f.{ch.date} JOIN item i ON i.i_item_sk = f.{ch.item} "
                       f"JOIN promotion p ON p.p_promo_sk = f.{ch.promo} WHERE cd.cd_gender = '{gender}' "
                       f"AND cd.cd_marital_status = '{status}' AND cd.cd_education_status = '{education}' "
                       f"AND (p.p_channel_email = 'N' OR p.p_channel_tv = 'N') AND d.d_year = {1998 + n} "
                       f"GROUP BY {grouping} ORDER BY 1 LIMIT 100")
    return out


def _households() -> list[str]:
    out = []
    for n, (hour, dep) in enumerate(((8, 3), (9, 5), (10, 2), (11, 4), (12, 0), (15, 1))):
        extra = ("", " AND ib.ib_lower_bound >= 20000", " AND s.s_market_id = 3", " AND hd.hd_vehicle_count > 1",
                 " AND t.t_minute >= 30", " AND hd.hd_buy_potential = '>10000'")[n]
        out.append("SELECT count(*) FROM store_sales ss "
                   "JOIN household_demographics hd ON hd.hd_demo_sk = ss.ss_hdemo_sk "
                   "JOIN income_band ib ON ib.ib_income_band_sk = hd.hd_income_band_sk "
                   "JOIN time_dim t ON t.t_time_sk = ss.ss_sold_time_sk JOIN store s ON s.s_store_sk = ss.ss_store_sk "
                   f"WHERE t.t_hour = {hour} AND hd.hd_dep_count = {dep} AND s.s_store_name = 'store {n + 7}'{extra}")
    return out


def _states() -> list[str]:
    out = []
    for ch in CHANNELS:
        for n, states in enumerate((("TX", "GA"), ("CA",), ("NY", "IL", "OH"), ("KY",))):
            listed = ", ".join(f"'{s}'" for s in states)
            extra = ("", " AND c.c_birth_year < 1960", " AND c.c_preferred_cust_flag = 'Y'",
                     " AND ca.ca_gmt_offset = -5")[n]
            out.append(f"SELECT ca.ca_state, ca.ca_county, count(*), sum(f.{ch.ext}) FROM {ch.fact} f "
                       f"JOIN customer c ON c.c_customer_sk = f.{ch.customer} "
                       "JOIN customer_address ca ON ca.ca_address_sk = c.c_current_addr_sk "
                       f"JOIN date_dim d ON d.d_date_sk = f.{ch.date} WHERE d.d_qoy = {1 + n % 4} "
                       f"AND d.d_year = {1999 + n} AND ca.ca_state IN ({listed}){extra} "
                       "GROUP BY ca.ca_state, ca.ca_county ORDER BY 3 DESC LIMIT 100")
    return out


def _returns() -> list[str]:
    out = []
    for ch in CHANNELS:
        table, date, item, reason, number, amount = RETURNS[ch]
        for n, extra in enumerate(("", " AND i.i_category = 'Music'", " AND f.{qty} > 50")):
            join_item = f" JOIN item i ON i.i_item_sk = r.{item}" if n == 1 else ""
            out.append(f"SELECT rs.r_reason_desc, count(*), sum(r.{amount}) FROM {table} r "
                       f"JOIN {ch.fact} f ON f.{ch.number} = r.{number} AND f.{ch.item} = r.{item} "
                       f"JOIN reason rs ON rs.r_reason_sk = r.{reason} JOIN date_dim d ON d.d_date_sk = r.{date}"
                       f"{join_item} WHERE d.d_year = {2000 + n} AND rs.r_reason_sk <= {10 + n}"
                       f"{extra.format(qty=ch.qty)} GROUP BY rs.r_reason_desc ORDER BY 2 DESC")
    return out


def _inventory() -> list[str]:
    out = []
    for n in range(6):
        low = 10 + 15 * n
        grouping = ("w.w_warehouse_name, i.i_item_id", "i.i_category", "w.w_state", "i.i_brand", "d.d_moy",
                    "w.w_warehouse_name")[n]
        out.append(f"SELECT {grouping}, sum(inv.inv_quantity_on_hand) FROM inventory inv "
                   "JOIN warehouse w ON w.w_warehouse_sk = inv.inv_warehouse_sk "
                   "JOIN item i ON i.i_item_sk = inv.inv_item_sk JOIN date_dim d ON d.d_date_sk = inv.inv_date_sk "
                   f"WHERE d.d_date BETWEEN date '200{n % 4}-03-11' AND date '200{n % 4}-05-11' "
                   f"AND i.i_current_price BETWEEN {low} AND {low + 10} GROUP BY {grouping} ORDER BY 2 DESC LIMIT 100")
    return out


def _late_shipments() -> list[str]:
    out = []
    for fact, sold, ship, item in (("catalog_sales", "cs_sold_date_sk", "cs_ship_date_sk", "cs_item_sk"),
                                   ("web_sales", "ws_sold_date_sk", "ws_ship_date_sk", "ws_item_sk")):
        for n, category in enumerate(("Books", "Home", "Sports")):
            out.append(f"SELECT i.i_item_id, count(*) FROM {fact} f JOIN date_dim d1 ON d1.d_date_sk = f.{sold} "
                       f"JOIN date_dim d3 ON d3.d_date_sk = f.{ship} JOIN item i ON i.i_item_sk = f.{item} "
                       f"WHERE d3.d_date > d1.d_date + {5 + 10 * n} AND d1.d_year = {1999 + n} "
                       f"AND i.i_category = '{category}'" + ("", " AND d1.d_moy = 6", " AND i.i_color = 'red'")[n]
                       + " GROUP BY i.i_item_id ORDER BY 2 DESC LIMIT 100")
    return out


def _web_hours() -> list[str]:
    out = []
    for n, (hours, dep) in enumerate((((8, 9), 6), ((19, 20), 2), ((10, 11), 4), ((14, 15), 8))):
        grouping = ("", ", wp.wp_type", ", t.t_shift", ", hd.hd_vehicle_count")[n]
        out.append(f"SELECT count(*){grouping} FROM web_sales ws "
                   "JOIN household_demographics hd ON hd.hd_demo_sk = ws.ws_bill_hdemo_sk "
                   "JOIN time_dim t ON t.t_time_sk = ws.ws_sold_time_sk "
                   "JOIN web_page wp ON wp.wp_web_page_sk = ws.ws_web_page_sk "
                   f"WHERE t.t_hour BETWEEN {hours[0]} AND {hours[1]} AND hd.hd_dep_count = {dep} "
                   f"AND wp.wp_char_count BETWEEN 5000 AND 5200"
                   + (f" GROUP BY {grouping.lstrip(', ')}" if grouping else ""))
    return out


def _shipping() -> list[str]:
    out = []
    for n in range(4):
        out.append("SELECT w.w_warehouse_name, sm.sm_type, cc.cc_name, "
                   "sum(CASE WHEN cs.cs_ship_date_sk - cs.cs_sold_date_sk <= 30 THEN 1 ELSE 0 END) AS within_30, "
                   "sum(CASE WHEN cs.cs_ship_date_sk - cs.cs_sold_date_sk > 30 THEN 1 ELSE 0 END) AS later "
                   "FROM catalog_sales cs JOIN warehouse w ON w.w_warehouse_sk = cs.cs_warehouse_sk "
                   "JOIN ship_mode sm ON sm.sm_ship_mode_sk = cs.cs_ship_mode_sk "
                   "JOIN call_center cc ON cc.cc_call_center_sk = cs.cs_call_center_sk "
                   "JOIN date_dim d ON d.d_date_sk = cs.cs_ship_date_sk "
                   f"WHERE d.d_year = {2000 + n} AND d.d_moy = {3 * n + 1}"
                   + ("", " AND sm.sm_carrier = 'carrier 3'", " AND cc.cc_class = 'large'", " AND w.w_state = 'TN'")[n]
                   + " GROUP BY w.w_warehouse_name, sm.sm_type, cc.cc_name ORDER BY 1, 2, 3 LIMIT 100")
    return out


def _cross_channel() -> list[str]:
    out = []
    for n, (first, second) in enumerate(((STORE, WEB), (STORE, CATALOG), (CATALOG, WEB), (WEB, STORE))):
        op = ("INTERSECT", "INTERSECT", "EXCEPT", "EXCEPT")[n]
        parts = []
        for ch in (first, second):
            parts.append(f"SELECT DISTINCT c.c_last_name, d.d_date FROM {ch.fact} f "
                         f"JOIN date_dim d ON d.d_date_sk = f.{ch.date} "
                         f"JOIN customer c ON c.c_customer_sk = f.{ch.customer} WHERE d.d_year = {2000 + n} "
                         f"AND d.d_moy = {n + 2}")
        out.append(f"SELECT count(*) FROM ({parts[0]} {op} {parts[1]}) AS x")
    return out


def _lookups() -> list[str]:
    return [
        "SELECT i_item_sk, i_product_name, i_current_price FROM item WHERE i_item_id = 'ITEM0000001234'",
        "SELECT c_customer_sk, c_last_name FROM customer WHERE c_email_address = 'c4711@example.com'",
        "SELECT c.c_customer_id, ca.ca_city, ca.ca_state FROM customer c "
        "JOIN customer_address ca ON ca.ca_address_sk = c.c_current_addr_sk WHERE c.c_customer_id = 'CUST0000004711'",
        "SELECT ss_ticket_number, ss_item_sk, ss_quantity FROM store_sales WHERE ss_ticket_number = 123456",
        "SELECT cs_order_number, cs_item_sk, cs_quantity FROM catalog_sales WHERE cs_order_number = 234567",
        "SELECT ws_order_number, ws_item_sk, ws_quantity, ws_ext_sales_price FROM web_sales "
        "WHERE ws_order_number = 34567",
    ]


def _top_customers() -> list[str]:
    out = []
    for n, state in enumerate(("TN", "GA", "AL", "TX")):
        out.append("SELECT c.c_customer_id, sum(ss.ss_net_profit) FROM store_sales ss "
                   "JOIN customer c ON c.c_customer_sk = ss.ss_customer_sk "
                   "JOIN store s ON s.s_store_sk = ss.ss_store_sk "
                   f"JOIN date_dim d ON d.d_date_sk = ss.ss_sold_date_sk WHERE d.d_year = {1999 + n} "
                   f"AND s.s_state = '{state}'" + ("", " AND d.d_dow = 6", " AND ss.ss_quantity > 80",
                                                    " AND c.c_birth_year > 1980")[n]
                   + " GROUP BY c.c_customer_id ORDER BY 2 DESC LIMIT 100")
    return out


def _catalog_pages() -> list[str]:
    out = []
    for n in range(3):
        out.append("SELECT cp.cp_catalog_number, sum(cs.cs_ext_sales_price), sum(cs.cs_net_profit) "
                   "FROM catalog_sales cs JOIN catalog_page cp ON cp.cp_catalog_page_sk = cs.cs_catalog_page_sk "
                   "JOIN date_dim d ON d.d_date_sk = cs.cs_sold_date_sk "
                   f"WHERE d.d_date BETWEEN date '200{n}-08-04' AND date '200{n}-08-04' + {30 * (n + 1)}"
                   + ("", " AND cp.cp_catalog_number < 50", " AND cs.cs_quantity > 10")[n]
                   + " GROUP BY cp.cp_catalog_number ORDER BY 2 DESC LIMIT 100")
    return out


def _promotions() -> list[str]:
    out = []
    for n, ch in enumerate(CHANNELS):
        out.append(f"SELECT p.p_purpose, sum(f.{ch.ext}) FROM {ch.fact} f "
                   f"JOIN promotion p ON p.p_promo_sk = f.{ch.promo} "
                   f"JOIN item i ON i.i_item_sk = f.{ch.item} JOIN date_dim d ON d.d_date_sk = f.{ch.date} "
                   f"WHERE d.d_year = {2001 + n} AND d.d_moy = 12 AND i.i_category = 'Jewelry' "
                   "GROUP BY p.p_purpose ORDER BY 2 DESC")
    return out


def statements() -> list[str]:
    """Every statement, tagged with its number."""
    bodies = [*_brand_revenue(), *_demographics(), *_households(), *_states(), *_returns(), *_inventory(),
              *_late_shipments(), *_web_hours(), *_shipping(), *_cross_channel(), *_lookups(), *_top_customers(),
              *_catalog_pages(), *_promotions()]
    return [f"-- star Q{n}\n{body}" for n, body in enumerate(bodies, start=1)]
