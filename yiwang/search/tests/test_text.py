from yiwang.search import text


def test_segment_removes_stopwords_and_punctuation():
    assert text.segment("开饭店要办什么证？") == ["开饭", "饭店", "开饭店", "证"]
    assert "低保" in text.segment("我想办低保！") and "我" not in text.segment("我想办低保！")
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


def test_normalize_traditional_full_width_and_numerals():
    assert text.normalize("養狗要辦證嗎") == "养狗要办证吗"
    assert text.normalize("ＡＢＣ１２３") == "abc123"
    assert text.normalize("年满十八岁") == "年满18岁"
    assert text.normalize("两个孩子") == "2个孩子"
    assert text.normalize("一百零五元") == "105元"
    # Numerals that are not a quantity stay: 一网通办, 万一.
    assert text.normalize("一网通办") == "一网通办"
    assert text.normalize("一二三级") == "一二三级"


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
