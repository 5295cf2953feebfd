"""Ranking properties of ``yiwang.search.engine`` (BM25F, lexicon, relevance floor).

These run on SQLite and on PostgreSQL in CI; the exact orders asserted here are therefore
the proof that both databases rank the same way.
"""

import pytest

from yiwang.search import api, engine, lexicon
from yiwang.search.freshness import StampedMemo
from yiwang.search.models import LexiconEntry, LexiconSource, SearchDocument

pytestmark = pytest.mark.django_db

# Eleven performance licences share the common title words 营业 and 许可证; only one item
# is about food. 准养 (dog licence) occurs once.
COMMON = [f"营业性演出许可证（第{n}类）" for n in range(1, 12)]
DOCS = [
    *({"key": f"yc{n}", "title": title} for n, title in enumerate(COMMON)),
    {"key": "spjy", "title": "食品经营许可", "keywords": "行政许可 市场监督管理局"},
    {"key": "qlzy", "title": "犬类准养证核发", "keywords": "公安局"},
    {"key": "bdcdy", "title": "不动产抵押登记", "keywords": "自然资源局"},
    {"key": "tljdy", "title": "拖拉机抵押登记", "keywords": "农业农村局"},
    {"key": "wb", "title": "互联网上网服务营业场所经营单位设立审批"},
    {
        "key": "guide",
        "title": "公共场所卫生许可",
        "text": "宾馆、理发店、游泳场所等公共场所经营者申请卫生许可，提交营业执照和卫生检测报告。",
    },
    {"key": "yyzz", "title": "个体工商户设立登记", "aliases": "营业执照"},
]


@pytest.fixture
def corpus(db):
    # The mechanism alone: without the shipped lexicon, each test adds what it needs.
    LexiconEntry.objects.all().delete()
    lexicon.changed()
    api.index_documents("item", DOCS)
    return DOCS


def keys(query, **kwargs):
    return [hit.key for hit in api.search(query, kind="item", **kwargs)]


def add_entry(term, official):
    return lexicon.save_entry(term=term, official=official, source=LexiconSource.ADMIN)


def test_a_rare_word_outranks_common_ones(corpus):
    # 营业 and 许可证 are in eleven titles, 准养 in one: the one wins although the others
    # match two of the three words.
    assert keys("营业 许可证 准养")[0] == "qlzy"
    add_entry("餐厅", "食品经营")
    assert keys("开餐厅营业要什么许可证")[0] == "spjy"


def test_title_beats_aliases_beat_guide_text(db):
    api.index_document("item", "text", "公共场所登记", text="办理卫生许可后方可营业。")
    api.index_document("item", "alias", "公共场所备案", aliases="卫生许可")
    api.index_document("item", "title", "卫生许可")
    assert keys("卫生许可", floor=False) == ["title", "alias", "text"]
    # As an answer, a passing mention in guide text is too weak next to the items themselves.
    assert keys("卫生许可") == ["title", "alias"]


def test_phrase_in_title_beats_scattered_words(corpus):
    add_entry("房子", "不动产")
    assert keys("房子抵押登记")[0] == "bdcdy"
    assert keys("拖拉机抵押")[0] == "tljdy"


def test_relevance_floor_answers_nothing_rather_than_noise(corpus):
    assert keys("手机屏幕碎了去哪修") == []
    assert keys("哪里有好吃的火锅") == []
    # One common word is not enough to make anything a result.
    assert keys("明天申请许可") == []
    found = api.find("营业性演出许可证", kind="item", limit=3)
    assert len(found.hits) == 3 and found.total == len(COMMON)


def test_counts_are_real_counts_and_pages_follow(corpus):
    first = api.find("营业性演出", kind="item", limit=5)
    second = api.find("营业性演出", kind="item", limit=5, offset=5)
    everything = api.find("营业性演出", kind="item", limit=None)
    assert first.total == second.total == len(everything.hits) == len(COMMON)
    assert [h.key for h in first.hits + second.hits] == [h.key for h in everything.hits][:10]


def test_lexicon_expands_everyday_words_below_typed_ones(corpus):
    assert keys("养狗要办证吗") == []
    add_entry("狗", "犬类 犬只")
    assert keys("养狗要办证吗") == ["qlzy"]
    terms = {t.token: t for t in engine.analyze("养狗要办证吗").terms}
    assert terms["狗"].alternatives == {"狗": 1.0, "犬类": engine.LEXICON_FACTOR, "犬只": 0.75}


def test_administrator_edits_take_effect_on_the_next_search(corpus):
    entry = add_entry("网吧", "互联网上网服务营业场所")
    assert keys("开网吧") == ["wb"]
    lexicon.set_active(entry, False)
    assert keys("开网吧") == []
    lexicon.save_entry(term="网吧", official="上网服务", entry=entry)
    assert keys("开网吧") == ["wb"]


def test_other_processes_see_a_change_within_the_recheck_interval(corpus, monkeypatch):
    assert keys("网吧") == []
    # Another process adds an entry: this process's copy is not told, only the table moves.
    LexiconEntry.objects.create(term="网吧", official="上网服务", source=LexiconSource.ADMIN)
    for memo in list(StampedMemo.instances):
        monkeypatch.setattr(memo, "recheck", 0.0)
    assert keys("网吧") == ["wb"]
    SearchDocument.objects.filter(kind="item", key="wb").delete()
    assert keys("网吧") == []


def test_traditional_full_width_and_numerals_are_normalised(corpus):
    add_entry("狗", "犬类")
    assert keys("養狗要辦證嗎") == ["qlzy"]
    assert keys("ＹＹＺＺ") == ["yyzz"]  # full-width pinyin initials
    api.index_document("item", "age", "年满18岁人员登记")
    assert keys("年滿十八歲登記")[0] == "age"


def test_a_typo_that_sounds_the_same_still_finds_the_item(corpus):
    assert keys("营业执造")[0] == "yyzz"  # 执造 is not a word; 执照 sounds the same
    assert keys("身分证") == []  # nothing about ID cards here, and no guess instead
    api.index_document("item", "sfz", "居民身份证申领")
    assert keys("身分证丢了怎么补办")[0] == "sfz"


def test_a_real_word_is_not_replaced_by_a_same_sounding_one(corpus):
    # 晚上 (evening) sounds like 网上 (online); it is a word, so no guess is made.
    api.index_document("item", "wssb", "网上申报")
    assert keys("晚上失眠怎么办") == []


def test_exact_order_is_the_same_on_every_database(corpus):
    add_entry("狗", "犬类")
    common = [f"yc{n}" for n in range(11)]
    # In the title, shorter titles first (length normalisation), then the alias.
    assert keys("营业") == [*common, "wb", "yyzz"]
    assert keys("许可") == ["spjy", "guide", *common]
    assert keys("营业执照") == ["yyzz"]


def test_shipped_entries_are_loaded_and_administrators_changes_kept(db):
    shipped = lexicon.shipped_entries()
    assert len(shipped) >= 400
    entry = LexiconEntry.objects.get(term="网吧", source=LexiconSource.SHIPPED)
    lexicon.set_active(entry, False)
    LexiconEntry.objects.filter(term="养狗", source=LexiconSource.SHIPPED).delete()
    assert lexicon.load_shipped() == 1  # only the missing one comes back
    entry.refresh_from_db()
    assert entry.active is False


@pytest.mark.parametrize(
    ("term", "official", "field"),
    [
        ("", "犬类", "term"),
        ("养 狗", "犬类", "term"),
        ("狗" * 31, "犬类", "term"),
        ("狗", "", "official"),
        ("狗", "狗", "official"),
        ("狗", " ".join(f"词{n}" for n in range(13)), "official"),
    ],
)
def test_bad_lexicon_entries_are_refused(db, term, official, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        add_entry(term, official)
    assert field in caught.value.message_dict


def test_duplicate_entry_is_refused(db):
    from django.core.exceptions import ValidationError

    add_entry("狗狗", "犬类")
    with pytest.raises(ValidationError) as caught:
        add_entry("狗狗", "犬只")
    assert "term" in caught.value.message_dict


def test_words_that_frame_a_question_weigh_like_weak_words(db):
    """Numerals, pronouns and adverbs (几户, 一起, 自己) are not what a question is about: a
    catalogue that never uses them must not lose the item for their sake."""
    query = engine.analyze("几户农民想一起办个合作社")
    weights = {term.token: term.weight for term in query.terms}
    assert weights["几户"] == weights["一起"] == engine.WEAK_WEIGHT
    assert weights["农民"] == 1.0


def test_framing_words_no_longer_hide_the_item(db):
    LexiconEntry.objects.all().delete()
    lexicon.changed()
    api.index_documents(
        "item",
        [
            {"key": "hzs", "title": "农民专业合作社设立登记"},
            {"key": "hzsbg", "title": "农民专业合作社变更登记"},
            {"key": "gt", "title": "个体工商户设立登记"},
        ],
    )
    assert keys("几户农民想一起办个合作社")[:1] == ["hzs"]


def test_unknown_single_characters_tried_together_weigh_what_they_weighed(corpus):
    """找 and 谁 are tried together (a typo of a word is often two such characters), but as
    light as they were: the question is still about the dog licence."""
    add_entry("养狗", "犬类准养证")
    assert keys("养狗找谁") == ["qlzy"]


def test_two_rare_words_in_one_title_make_a_result_whatever_else_was_said(db):
    """Context the catalogue does not use (家里 困难 孩子) leaves less than half of the
    question covered; two rare words of one title are evidence enough."""
    LexiconEntry.objects.all().delete()
    lexicon.changed()
    api.index_documents(
        "item",
        [
            {"key": "mxf", "title": "普通高中国家助学金、免学费查询"},
            *({"key": f"x{n}", "title": f"第{n}类事项登记"} for n in range(60)),
        ],
    )
    assert keys("家里困难 孩子读高中能免学费吗") == ["mxf"]
    # One rare word and much unexplained context: still nothing.
    assert keys("周末带孩子去哪玩高中") == []


@pytest.mark.parametrize(
    ("question", "word"),
    [("开个农家乐", "开农家乐"), ("想开个体户", "个体户"), ("办家庭农场", "家庭")],
)
def test_a_measure_word_goes_unless_it_begins_a_word(db, question, word):
    """开个农家乐 means 开农家乐; the 个 of 个体户 and the 家 of 家庭 are not measure words."""
    add_entry("开农家乐", "农家乐")
    assert word in [term.token for term in engine.analyze(question).terms]


def _only(documents):
    LexiconEntry.objects.all().delete()
    lexicon.changed()
    api.index_documents("item", documents)


def test_asking_for_one_word_of_a_stage_asks_for_the_whole_stage(db):
    """丢了 brings 补办; the 补发 item is of the same stage, so it is not ranked down as a
    stage the question did not ask for. A question asking for no stage prefers the first
    registration."""
    _only(
        [
            {"key": "hf", "title": "教师资格证书核发"},
            {"key": "bf", "title": "教师资格证书补发"},
            *({"key": f"x{n}", "title": f"第{n}类证书核发"} for n in range(30)),
        ]
    )
    add_entry("丢了", "补办")

    def scores(question):
        return {hit.key: hit.score for hit in api.search(question, kind="item")}

    lost, plain = scores("教师资格证丢了"), scores("教师资格证")
    assert lost["bf"] == pytest.approx(lost["hf"])
    assert plain["bf"] == pytest.approx(plain["hf"] * engine.VARIANT_PENALTY, rel=1e-3)
    asks_to_replace = scores("教师资格证怎么补")  # 补 is a cue of that stage
    assert asks_to_replace["bf"] == pytest.approx(asks_to_replace["hf"])


def test_a_cue_the_segmenter_splits_still_asks_for_its_stage(db):
    """忘了 is cut as 忘 + the stopword 了; the question still asks for 重置, so the 修改
    item (a stage it did not ask for) ranks below it, although the lexicon names both."""
    _only(
        [
            {"key": "xg", "title": "社会保障卡密码修改"},
            {"key": "cz", "title": "社会保障卡密码重置"},
            *({"key": f"x{n}", "title": f"第{n}类卡片登记"} for n in range(20)),
        ]
    )
    add_entry("社保卡密码", "社会保障卡密码修改 社会保障卡密码重置")
    assert keys("社保卡密码忘了")[:2] == ["cz", "xg"]
    # Without the cue neither is asked for: both rank as later stages, the same.
    scores = {hit.key: hit.score for hit in api.search("社保卡密码", kind="item")}
    assert scores["cz"] == pytest.approx(scores["xg"])


def test_mortgage_and_transfer_items_rank_below_the_first_registration(db):
    _only(
        [
            {"key": "dy", "title": "拖拉机抵押登记"},
            {"key": "zy", "title": "拖拉机转移登记"},
            {"key": "zc", "title": "拖拉机注册登记"},
            *({"key": f"x{n}", "title": f"第{n}类车辆登记"} for n in range(20)),
        ]
    )
    assert keys("拖拉机怎么登记")[0] == "zc"
    assert keys("拖拉机抵押怎么登记")[0] == "dy"
    assert keys("拖拉机过户")[0] == "zy"  # 过户 is a word of the 转移 stage


def test_items_off_the_matter_an_everyday_phrase_names_rank_lower(db):
    """办退休 names the matter; 年龄 only describes the asker: the item that merely shares
    年龄 ranks below the retirement item, and stays a result."""
    _only(
        [
            {"key": "nl", "title": "达到法定年龄缴费不满15年权益申请"},
            {"key": "tx", "title": "企业职工正常退休申请"},
            *({"key": f"x{n}", "title": f"第{n}类申请"} for n in range(30)),
        ]
    )
    add_entry("办退休", "正常退休")
    found = {hit.key: hit.score for hit in api.search("到年龄了怎么办退休", kind="item")}
    assert list(found)[:2] == ["tx", "nl"]
    unpenalised = {hit.key: hit.score for hit in api.search("年龄", kind="item")}
    assert found["nl"] < unpenalised["nl"]


def test_words_naming_only_a_stage_do_not_outweigh_the_matter(db):
    """丢了 and 补办 only say which stage; the ID card is the matter. The items that share
    the stage with every other licence rank below the ID card's."""
    _only(
        [
            {"key": "sfz", "title": "居民身份证申领"},
            {"key": "cjr", "title": "残疾人证挂失补办"},
            {"key": "hs", "title": "护士执业证书遗失补办"},
            {"key": "ys", "title": "医师执业证书遗失补办"},
            *({"key": f"x{n}", "title": f"第{n}类证书核发"} for n in range(30)),
        ]
    )
    add_entry("丢了", "遗失 挂失 补办 补领")
    assert keys("居民身份证丢了怎么补办")[0] == "sfz"


def test_a_one_character_cue_counts_only_as_a_word_of_its_own():
    from yiwang.search.text import word_lists

    lost = next(stage for stage in word_lists().variants if "补发" in stage.words)
    assert lost.asked_in(["教师资格证", "补"])
    assert not lost.asked_in(["创业", "补贴"])


def test_a_typo_sounding_like_an_everyday_word_brings_its_official_words(db):
    """公祖房 is no word of the catalogue; it sounds like 公租房, an everyday word whose
    official word is 公共租赁住房."""
    _only(
        [
            {"key": "gzf", "title": "公共租赁住房申请资格审核认定"},
            *({"key": f"x{n}", "title": f"第{n}类住房登记"} for n in range(10)),
        ]
    )
    add_entry("公租房", "公共租赁住房")
    assert keys("公祖房申请条件") == ["gzf"]


def test_an_everyday_phrase_of_the_lexicon_anchors_as_two_words(db):
    """打预防针 is a phrase administrators mapped to 预防接种证: with 小孩 and 本子 around it
    (words the catalogue does not use) the item is still the answer; a two-character everyday
    word (狗狗) with as much unexplained around it is not enough."""
    _only(
        [
            {"key": "jzz", "title": "《预防接种证》办理"},
            {"key": "qz", "title": "犬类准养证核发"},
            *({"key": f"x{n}", "title": f"第{n}类证明办理"} for n in range(30)),
        ]
    )
    add_entry("打预防针", "预防接种证")
    add_entry("狗狗", "犬类")
    assert keys("小孩打预防针的本子怎么办") == ["jzz"]
    assert keys("狗狗生病了吃什么药") == []


def test_a_word_cut_in_the_wrong_place_is_mended(db):
    """执业证要改 is cut 执业 证要 改: 证要 is found nowhere, and its 证 completes 执业证."""
    _only(
        [
            {"key": "zyz", "title": "医师执业证变更"},
            {"key": "zy", "title": "护士执业注册"},
            *({"key": f"x{n}", "title": f"第{n}类执业备案"} for n in range(30)),
        ]
    )
    ranker = engine.Ranker(engine.corpus("item"))
    mended = ranker._reattach(engine.analyze("执业证要改").terms)
    assert [t.token for t in mended][:2] == ["执业证", "要"]
    assert keys("执业证要改吗")[:1] == ["zyz"]


def test_paying_and_settling_rank_below_the_application(db):
    _only(
        [
            {"key": "rent", "title": "公租房租金缴纳"},
            {"key": "apply", "title": "公租房申请资格认定"},
            {"key": "settle", "title": "定点药店费用结算"},
            {"key": "agree", "title": "定点药店协议申请"},
            *({"key": f"x{n}", "title": f"第{n}类住房保障事项"} for n in range(20)),
        ]
    )
    assert keys("公租房")[0] == "apply"
    assert keys("公租房房租怎么交")[0] == "rent"  # 交 asks for the paying stage
    assert keys("定点药店")[0] == "agree"
    assert keys("定点药店怎么报销")[0] == "settle"


def test_a_question_about_a_permit_prefers_licensing_items(db):
    _only(
        [
            {"key": "filing", "title": "营业性演出备案", "keywords": "其他行政权力"},
            {"key": "permit", "title": "举办营业性演出许可", "keywords": "行政许可"},
            *({"key": f"x{n}", "title": f"第{n}类文化事项"} for n in range(20)),
        ]
    )
    assert keys("营业性演出")[0] == "filing"  # the shorter title, all else equal
    assert keys("营业性演出要批吗")[0] == "permit"
    assert keys("搞营业性演出需要什么证")[0] == "permit"


def test_a_question_about_setting_up_prefers_the_item_that_sets_it_up(db):
    _only(
        [
            {"key": "filing", "title": "农民专业合作社备案"},
            {"key": "setup", "title": "农民专业合作社设立登记"},
            {"key": "subsidy", "title": "农民专业合作社补贴申请"},
            *({"key": f"x{n}", "title": f"第{n}类农业事项"} for n in range(20)),
        ]
    )
    assert keys("农民专业合作社")[0] == "filing"  # the shortest title, all else equal
    assert keys("几户农民想办个农民专业合作社")[0] == "setup"
    assert keys("成立农民专业合作社要办什么手续")[0] == "setup"
    # 开个证明 asks for a paper: no setting up.
    assert engine.analyze("开个证明").setup is False
    assert engine.analyze("办个证").setup is False
    assert engine.analyze("想开一家农家乐").setup is True
    assert engine.analyze("开家农家乐").setup is True
