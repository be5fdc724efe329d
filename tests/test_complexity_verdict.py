"""The page's one sentence: which dataset should learn faster, by variety between frames."""

from gan_core.complexity.verdict import faster


def test_the_less_varied_set_learns_faster_whatever_its_detail():
    bunny = {"intrinsic_dimension": 12, "count": 132, "complexity": 53.6}  # grass: the higher composite
    bikes = {"intrinsic_dimension": 28, "count": 250, "complexity": 46.9}
    sentence = faster({"bikes": bikes, "bigbuckbunny": bunny})
    assert sentence.startswith("bigbuckbunny should learn faster than bikes: its frames vary in fewer ways "
                               "(dimensionality 12 against 28)")


def test_equal_variety_names_no_winner():
    same = {"intrinsic_dimension": 10, "count": 100, "complexity": 40}
    assert "neither" in faster({"a": same, "b": same})
