from yiwang.search import text


def test_segment_removes_stopwords_and_punctuation():
    assert text.segment("开饭店要办什么证？") == ["开饭", "饭店", "开饭店", "证"]
    assert text.segment("我想办低保！") == ["低保"]
    assert text.segment("请问，在哪里办？") == []


def test_segment_uses_domain_dictionary_and_long_subwords():
    tokens = text.segment("医保异地就医备案")
    assert "异地就医备案" in tokens
    assert "异地就医" in tokens  # 4+ character dictionary sub-word
    assert "食品经营许可" in text.segment("食品经营许可证")


def test_segment_keeps_weak_word_in_documents():
    assert text.segment("需要带什么证") == ["带", "证"]
    assert text.is_weak("证")
    assert not text.is_weak("低保")


def test_segment_normalises_full_width_and_case():
    assert text.segment("ＡＢＣ１２３公司") == ["abc123", "公司"]
    assert text.segment("") == []


def test_synonyms_both_kinds():
    assert "最低生活保障" in text.expand("低保")
    assert "低保" in text.expand("最低生活保障")  # interchangeable line
    assert set(text.expand("房产证")) >= {"不动产登记"}
    assert "房产证" not in text.expand("不动产登记")  # one-way line
    assert text.expand("不存在的词") == ()


def test_analyze_query_weights_weak_words_low():
    terms = {t.token: t for t in text.analyze_query("开饭店要办什么证")}
    assert terms["证"].weight == text.WEAK_WEIGHT
    assert terms["饭店"].weight == 1.0
    assert terms["饭店"].alternatives["餐馆"] == text.SYNONYM_WEIGHT
    assert terms["开饭店"].alternatives["食品经营许可"] == text.SYNONYM_WEIGHT


def test_pinyin():
    assert text.initials("食品经营许可") == "spjyxk"
    assert text.full_pinyin("结婚登记") == "jiehundengji"
    assert text.initials("ABC公司，绿色") == "abcgsls"
    assert text.full_pinyin("绿色") == "lvse"


def test_split_aliases():
    assert text.split_aliases("开饭店、开餐馆，餐饮店 ; 小吃") == [
        "开饭店",
        "开餐馆",
        "餐饮店",
        "小吃",
    ]
    assert text.split_aliases(["a", "", "b"]) == ["a", "b"]
    assert text.split_aliases(None) == []
