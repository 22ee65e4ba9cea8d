-- A retail star schema: three sales channels with their returns, inventory, and 17 dimensions.
-- Not a single index or constraint: the advisor starts from nothing.
CREATE TABLE date_dim (d_date_sk int, d_date date, d_year int, d_moy int, d_dom int, d_qoy int, d_dow int,
                       d_week_seq int, d_holiday char(1));
CREATE TABLE time_dim (t_time_sk int, t_hour int, t_minute int, t_shift text, t_meal_time text);
CREATE TABLE item (i_item_sk int, i_item_id text, i_category text, i_class text, i_brand text, i_manufact_id int,
                   i_color text, i_size text, i_current_price numeric(7, 2), i_product_name text);
CREATE TABLE customer (c_customer_sk int, c_customer_id text, c_current_addr_sk int, c_current_cdemo_sk int,
                       c_current_hdemo_sk int, c_birth_year int, c_preferred_cust_flag char(1), c_last_name text,
                       c_email_address text);
CREATE TABLE customer_address (ca_address_sk int, ca_state char(2), ca_city text, ca_county text, ca_zip char(5),
                               ca_country text, ca_gmt_offset numeric(5, 2));
CREATE TABLE customer_demographics (cd_demo_sk int, cd_gender char(1), cd_marital_status char(1),
                                    cd_education_status text, cd_credit_rating text, cd_dep_count int);
CREATE TABLE household_demographics (hd_demo_sk int, hd_income_band_sk int, hd_buy_potential text,
                                     hd_dep_count int, hd_vehicle_count int);
CREATE TABLE income_band (ib_income_band_sk int, ib_lower_bound int, ib_upper_bound int);
CREATE TABLE store (s_store_sk int, s_store_id text, s_store_name text, s_state char(2), s_city text,
                    s_market_id int, s_floor_space int);
CREATE TABLE promotion (p_promo_sk int, p_channel_email char(1), p_channel_tv char(1), p_cost numeric(15, 2),
                        p_purpose text);
CREATE TABLE warehouse (w_warehouse_sk int, w_warehouse_name text, w_state char(2), w_sq_ft int);
CREATE TABLE web_site (web_site_sk int, web_name text, web_class text);
CREATE TABLE web_page (wp_web_page_sk int, wp_type text, wp_char_count int);
CREATE TABLE call_center (cc_call_center_sk int, cc_name text, cc_class text, cc_employees int);
CREATE TABLE catalog_page (cp_catalog_page_sk int, cp_department text, cp_catalog_number int);
CREATE TABLE ship_mode (sm_ship_mode_sk int, sm_type text, sm_carrier text);
CREATE TABLE reason (r_reason_sk int, r_reason_desc text);
CREATE TABLE store_sales (ss_sold_date_sk int, ss_sold_time_sk int, ss_item_sk int, ss_customer_sk int,
                          ss_cdemo_sk int, ss_hdemo_sk int, ss_addr_sk int, ss_store_sk int, ss_promo_sk int,
                          ss_ticket_number bigint, ss_quantity int, ss_sales_price numeric(7, 2),
                          ss_ext_sales_price numeric(9, 2), ss_net_profit numeric(9, 2));
CREATE TABLE store_returns (sr_returned_date_sk int, sr_item_sk int, sr_customer_sk int, sr_store_sk int,
                            sr_reason_sk int, sr_ticket_number bigint, sr_return_quantity int,
                            sr_return_amt numeric(9, 2));
CREATE TABLE catalog_sales (cs_sold_date_sk int, cs_ship_date_sk int, cs_item_sk int, cs_bill_customer_sk int,
                            cs_bill_cdemo_sk int, cs_call_center_sk int, cs_catalog_page_sk int,
                            cs_ship_mode_sk int, cs_warehouse_sk int, cs_promo_sk int, cs_order_number bigint,
                            cs_quantity int, cs_sales_price numeric(7, 2), cs_ext_sales_price numeric(9, 2),
                            cs_net_profit numeric(9, 2));
CREATE TABLE catalog_returns (cr_returned_date_sk int, cr_item_sk int, cr_refunded_customer_sk int,
                              cr_call_center_sk int, cr_reason_sk int, cr_order_number bigint,
                              cr_return_quantity int, cr_return_amount numeric(9, 2));
CREATE TABLE web_sales (ws_sold_date_sk int, ws_sold_time_sk int, ws_ship_date_sk int, ws_item_sk int,
                        ws_bill_customer_sk int, ws_bill_hdemo_sk int, ws_web_page_sk int, ws_web_site_sk int,
                        ws_ship_mode_sk int, ws_warehouse_sk int, ws_promo_sk int, ws_order_number bigint,
                        ws_quantity int, ws_sales_price numeric(7, 2), ws_ext_sales_price numeric(9, 2),
                        ws_net_profit numeric(9, 2));
CREATE TABLE web_returns (wr_returned_date_sk int, wr_item_sk int, wr_refunded_customer_sk int,
                          wr_web_page_sk int, wr_reason_sk int, wr_order_number bigint, wr_return_quantity int,
                          wr_return_amt numeric(9, 2));
CREATE TABLE inventory (inv_date_sk int, inv_item_sk int, inv_warehouse_sk int, inv_quantity_on_hand int);
